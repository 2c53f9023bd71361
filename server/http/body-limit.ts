// Upload size limits enforced while the body arrives: a declared length over the limit is refused
// before a byte is read, a body that grows past it is refused as soon as it does; either way the
// client gets its 413 with a JSON reason, and the bytes still coming are discarded, never kept.
import type { Context, Next } from 'koa';
import { ClientError } from './errors.ts';

/** The 413 every upload route answers, naming its limit in both languages. */
export function payloadTooLarge(maxBytes: number, what = { fr: 'envoi', en: 'upload' }, details?: Record<string, unknown>): ClientError {
  const mib = Math.max(1, Math.round(maxBytes / 1048576));
  return new ClientError(413, 'PayloadTooLarge', `${what.fr} trop volumineux (${mib} Mo au plus) / ${what.en} too large (at most ${mib} MiB)`, details);
}

/** The Content-Length a request declares, or undefined when it is sent in chunks with none. */
function declaredLength(ctx: Context): number | undefined {
  const raw = ctx.get('content-length');
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Koa middleware answering 413 at once when the declared length passes `maxBytes`, before any
 *  parser starts on the body (a body parser would read up to its own limit first). */
export function refuseDeclaredOver(maxBytes: number, tooLarge: () => ClientError = () => payloadTooLarge(maxBytes)) {
  return async (ctx: Context, next: Next) => {
    if ((declaredLength(ctx) ?? 0) > maxBytes) throw tooLarge();
    await next();
  };
}

/**
 * Reads the whole body, refusing it (413) once it passes `maxBytes`. The request stream is not
 * destroyed: that would cut the connection before the answer is written. It is left flowing with no
 * reader instead, so what the client still sends is dropped as it comes (Node's request timeout
 * bounds how long) and the 413 reaches it.
 */
export function readLimitedBody(ctx: Context, maxBytes: number, tooLarge: () => ClientError = () => payloadTooLarge(maxBytes)): Promise<Buffer> {
  if ((declaredLength(ctx) ?? 0) > maxBytes) return Promise.reject(tooLarge());
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      chunks.length = 0;
      req.resume();
      reject(tooLarge());
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
