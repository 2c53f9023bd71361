// Password hashing with node's scrypt (memory-hard, built in): `scrypt$N$r$p$salt$hash`.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((ok, fail) => scryptCallback(password, salt, length, options, (err, key) => (err ? fail(err) : ok(key))));

// N = 2^15, r = 8: ~32 MB and ~50 ms per hash, OWASP's scrypt recommendation.
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Checks a password against a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: MAX_MEMORY,
  });
  return timingSafeEqual(key, expected);
}

/** The password rule for staff accounts. */
export function checkPasswordStrength(password: string): string | undefined {
  if (password.length < 12) return 'le mot de passe doit faire au moins 12 caractères / at least 12 characters';
  return undefined;
}
