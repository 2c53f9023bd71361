// The Open311 api_key, checked before a report's body is read: a client without a valid key must not
// make the server receive, store or decode photos.
import type { Context, Next } from 'koa';
import { tokensEqual } from '../auth/token-compare.ts';
import { ClientError } from '../http/errors.ts';
import { single } from '../http/params.ts';

declare module 'koa' {
  interface DefaultState {
    /** Set once the api_key given in the URL was found valid. */
    open311KeyChecked?: boolean;
  }
}

/** Whether `given` is one of `keys`, compared in constant time. */
export function isOpen311Key(keys: readonly string[], given: string | undefined): boolean {
  return keys.reduce((found, key) => tokensEqual(given, key) || found, false);
}

export const invalidKey = () => new ClientError(403, 'Forbidden', 'api_key absente ou invalide / missing or invalid api_key');

/**
 * Koa middleware run before the body parser when keys are configured. A key in the URL
 * (`?api_key=`) is checked at once. Without one, a multipart body (the photo extension) is refused
 * unread, since its key would only be known after its photos; a plain form or JSON body (64 KiB at
 * most, no photo) is parsed, and its `api_key` checked by the handler before anything else.
 */
export function open311KeyGate(keys: readonly string[]) {
  return async (ctx: Context, next: Next) => {
    if (!keys.length) return next();
    const inUrl = single(ctx.query, 'api_key');
    if (inUrl !== undefined) {
      if (!isOpen311Key(keys, inUrl)) throw invalidKey();
      ctx.state.open311KeyChecked = true;
      return next();
    }
    if (ctx.is('multipart')) {
      throw new ClientError(403, 'Forbidden', 'api_key absente de l’URL : avec des photos, donnez-la en paramètre (?api_key=…) / missing api_key: with photos, give it in the URL (?api_key=…)');
    }
    return next();
  };
}
