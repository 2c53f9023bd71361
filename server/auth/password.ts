// Password hashing with node's scrypt (memory-hard, built in): `scrypt$N$r$p$salt$hash`.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readPasswordHashCost } from '../../core/config.ts';

const scrypt = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((ok, fail) => scryptCallback(password, salt, length, options, (err, key) => (err ? fail(err) : ok(key))));

// OWASP's scrypt recommendation (Password Storage Cheat Sheet): N = 2^17, r = 8, p = 1, which
// takes 128 * N * r = 128 MiB per hash. N comes from PASSWORD_HASH_COST so that tests can hash fast.
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
/** The largest N a stored hash may ask for (2^20: 1 GiB), so a tampered row cannot exhaust memory. */
const MAX_N = 2 ** 20;

/** scrypt refuses to use more than `maxmem` bytes: room for the hash's own need and a margin. */
const maxmem = (n: number, r: number) => 128 * n * r + 1024 * 1024;

let currentN: number | undefined;
const hashN = () => (currentN ??= 2 ** readPasswordHashCost());

/** Hashes a password with a fresh random salt, at the configured cost (or at N = 2^log2N). */
export async function hashPassword(password: string, log2N?: number): Promise<string> {
  const n = log2N === undefined ? hashN() : 2 ** log2N;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N: n, r: R, p: P, maxmem: maxmem(n, R) });
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface StoredHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): StoredHash | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = [Number(n), Number(r), Number(p)];
  if (scheme !== 'scrypt' || !salt || !hash || !params.every((v) => Number.isInteger(v) && v >= 1)) return undefined;
  const [nValue, rValue, pValue] = params as [number, number, number];
  if (nValue > MAX_N || rValue > 32 || pValue > 16) return undefined;
  return { n: nValue, r: rValue, p: pValue, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** Checks a password against a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const key = await scrypt(password, parsed.salt, parsed.hash.length, { N: parsed.n, r: parsed.r, p: parsed.p, maxmem: maxmem(parsed.n, parsed.r) });
  return timingSafeEqual(key, parsed.hash);
}

/** Whether a stored hash was made with other parameters than today's (and should be made again at
 *  the next successful login, when the password is at hand). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.n !== hashN() || parsed.r !== R || parsed.p !== P || parsed.hash.length !== KEY_LENGTH;
}

/** The password rule for staff accounts. */
export function checkPasswordStrength(password: string): string | undefined {
  if (password.length < 12) return 'le mot de passe doit faire au moins 12 caractères / at least 12 characters';
  return undefined;
}
