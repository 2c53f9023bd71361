// Login attempts counted before any password is checked: per account (per device, for a browser
// holding that account's device cookie) and per client network, through the shared rate limiter, so
// neither concurrency nor several instances let a burst through.
import type { RateLimiter } from '../http/rate-limiter.ts';
import { RetryLaterError } from '../http/errors.ts';
import { clientNetwork } from '../http/client-network.ts';

/** The window attempts are counted in. */
const WINDOW_S = 15 * 60;
const ACCOUNT_BUCKET = 'login-account';
const NETWORK_BUCKET = 'login-network';
const DEVICE_BUCKET = 'login-device';

export interface LoginThrottle {
  /** Counts one attempt for the account (or, with `device`, for that device of the account: its own
   *  budget of the same size) and for the client's network; RetryLaterError (429) when either is
   *  over its limit. */
  attempt(email: string, ip: string, device?: string): Promise<void>;
  /** After a successful login: the account's (or device's) attempts are forgotten (its network's are not). */
  succeeded(email: string, device?: string): Promise<void>;
}

export function createLoginThrottle(limiter: RateLimiter, limits: { perAccount: number; perNetwork: number }): LoginThrottle {
  const account = (email: string) => email.trim().toLowerCase();
  return {
    async attempt(email, ip, device) {
      // Both counted, whatever the first says, so an attacker's refused attempts still spend budget.
      const [byAccount, byNetwork] = await Promise.all([
        device
          ? limiter.hit(DEVICE_BUCKET, `${account(email)} ${device}`, limits.perAccount, WINDOW_S)
          : limiter.hit(ACCOUNT_BUCKET, account(email), limits.perAccount, WINDOW_S),
        limiter.hit(NETWORK_BUCKET, clientNetwork(ip), limits.perNetwork, WINDOW_S),
      ]);
      const refused = [byAccount, byNetwork].filter((v) => !v.allowed);
      if (refused.length > 0) {
        throw new RetryLaterError(429, 'trop de tentatives de connexion, réessayez plus tard / too many login attempts, try again later',
          Math.max(...refused.map((v) => v.retryAfterS)));
      }
    },
    async succeeded(email, device) {
      await (device ? limiter.reset(DEVICE_BUCKET, `${account(email)} ${device}`) : limiter.reset(ACCOUNT_BUCKET, account(email)));
    },
  };
}
