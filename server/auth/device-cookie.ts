// Device cookies (OWASP's answer to account lockout as a denial of service): a browser that logged
// in to an account is given a signed cookie naming that account; its later attempts for that account
// are counted apart from everyone else's, so an attacker spending the account's attempt budget from
// elsewhere cannot lock its owner out of the machine they always use. Only a correct password earns
// one; since a password may leak and be changed, all device attempts of an account also share one
// larger budget (login-throttle.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';

export const DEVICE_COOKIE = 'websig_device';
const DEVICE_TTL_DAYS = 180;

/** The account (loginAccountKey) as stored in the cookie: hashed, so the cookie holds no address. */
function hashedAccount(account: string): string {
  return createHash('sha256').update(account).digest('base64url').slice(0, 22);
}

/** After a successful login: a new device id for this browser and account (the cookie is signed). */
export function issueDeviceCookie(ctx: Context, account: string): void {
  ctx.cookies.set(DEVICE_COOKIE, `${hashedAccount(account)}.${randomBytes(16).toString('base64url')}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: '/api/auth',
    maxAge: DEVICE_TTL_DAYS * 24 * 3600 * 1000,
    overwrite: true,
  });
}

/** The device id this browser holds for `account`, or undefined (none, forged, or another account's). */
export function deviceFor(ctx: Context, account: string): string | undefined {
  const value = ctx.cookies.get(DEVICE_COOKIE, { signed: true });
  if (!value) return undefined;
  const [hashed, device] = value.split('.');
  return hashed === hashedAccount(account) && device ? device : undefined;
}
