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
/** All device attempts of one account: a password that leaked and was changed since may have let
 *  an attacker collect device cookies, each a budget of its own; together they get this many. */
const DEVICES_BUCKET = 'login-devices';
const DEVICES_PER_ACCOUNT_FACTOR = 3;

/** `account` below is the key `loginAccountKey` gives for the e-mail typed. */
export interface LoginThrottle {
  /** Counts one attempt for the account (or, with `device`, for that device of the account: its own
   *  budget of the same size) and for the client's network; RetryLaterError (429) when either is
   *  over its limit. */
  attempt(account: string, ip: string, device?: string): Promise<void>;
  /** After a successful login: the account's (or device's) attempts are forgotten (its network's are not). */
  succeeded(account: string, device?: string): Promise<void>;
}

export function createLoginThrottle(limiter: RateLimiter, limits: { perAccount: number; perNetwork: number }): LoginThrottle {
  return {
    async attempt(account, ip, device) {
      // All counted, whatever the first says, so an attacker's refused attempts still spend budget.
      const verdicts = await Promise.all([
        ...(device
          ? [limiter.hit(DEVICE_BUCKET, `${account} ${device}`, limits.perAccount, WINDOW_S),
            limiter.hit(DEVICES_BUCKET, account, limits.perAccount * DEVICES_PER_ACCOUNT_FACTOR, WINDOW_S)]
          : [limiter.hit(ACCOUNT_BUCKET, account, limits.perAccount, WINDOW_S)]),
        limiter.hit(NETWORK_BUCKET, clientNetwork(ip), limits.perNetwork, WINDOW_S),
      ]);
      const refused = verdicts.filter((v) => !v.allowed);
      if (refused.length > 0) {
        throw new RetryLaterError(429, 'trop de tentatives de connexion, réessayez plus tard / too many login attempts, try again later',
          Math.max(...refused.map((v) => v.retryAfterS)));
      }
    },
    async succeeded(account, device) {
      await (device ? limiter.reset(DEVICE_BUCKET, `${account} ${device}`) : limiter.reset(ACCOUNT_BUCKET, account));
    },
  };
}
