// Device cookies (OWASP's answer to account lockout as a denial of service): a browser that logged
// in to an account is given a signed cookie naming that account; its later attempts for that account
// are counted apart from everyone else's, so an attacker spending the account's attempt budget from
// elsewhere cannot lock its owner out of the machine they always use. Only a correct password earns
// one, so an attacker who holds one for an account already has that account's password.
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';

export const DEVICE_COOKIE = 'websig_device';
const DEVICE_TTL_DAYS = 180;

/** The account an e-mail names, as stored in the cookie: hashed, so the cookie holds no address. */
function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22);
}

/** After a successful login: a new device id for this browser and account (the cookie is signed). */
export function issueDeviceCookie(ctx: Context, email: string): void {
  ctx.cookies.set(DEVICE_COOKIE, `${accountKey(email)}.${randomBytes(16).toString('base64url')}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: '/api/auth',
    maxAge: DEVICE_TTL_DAYS * 24 * 3600 * 1000,
    overwrite: true,
  });
}

/** The device id this browser holds for the account `email` names, or undefined (none, forged, or another account's). */
export function deviceFor(ctx: Context, email: string): string | undefined {
  const value = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  if (!value) return undefined;
  const [account, device] = value.split('.');
  return account === accountKey(email) && device ? device : undefined;
}
