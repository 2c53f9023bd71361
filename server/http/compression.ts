// Response compression (koa-compress), and the size below which no answer is compressed.
import type { Context, Next } from 'koa';
import compress from 'koa-compress';

/** Answers smaller than this go out as they are, gzip saving too little to pay for itself: one
 *  value for koa-compress, the lean items path and the tiles' cached gzip. */
export const COMPRESS_THRESHOLD = 1024;

export function compression() {
  const compressing = compress({ threshold: COMPRESS_THRESHOLD });
  // Without Accept-Encoding koa-compress only adds Vary and answers identity, after negotiating it:
  // the same outcome without the negotiation.
  return (ctx: Context, next: Next) => {
    if (ctx.request.headers['accept-encoding']) return compressing(ctx, next);
    ctx.vary('Accept-Encoding');
    return next();
  };
}
