// POST /api/layers/{id}/empty: an admin empties an importable layer on purpose, confirmed and audited.
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { StillReferencedError, emptyLayer } from '../../data-import/empty-layer.ts';
import { ImportOptionsError } from '../../data-import/pipeline.ts';
import { requireAdmin } from '../auth/auth.middleware.ts';
import { ClientError, badRequest, notFound } from '../http/errors.ts';
import type { RouteDeps } from '../http/route-deps.ts';

export function emptyLayerRoutes({ db, layers }: RouteDeps): Router {
  const router = new Router();
  const json = koaBody({ json: true, urlencoded: false, text: false, jsonLimit: '4kb' });
  // Admins only: one request removes a whole layer (the audit log says who).
  router.post('/api/layers/:id/empty', requireAdmin(db), json, async (ctx) => {
    const body = (ctx.request.body ?? {}) as { confirm?: unknown; reason?: unknown };
    if (body.confirm !== true) {
      throw badRequest('confirm: send {"confirm": true} to delete every feature of the layer (it is recorded in the audit log)');
    }
    if (body.reason !== undefined && typeof body.reason !== 'string') throw badRequest('reason: must be text');
    try {
      const deleted = await emptyLayer(db, layers, { layer: ctx.params.id!, userId: ctx.state.user?.id, via: 'api', reason: body.reason });
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { layer: ctx.params.id, deleted };
    } catch (error) {
      if (error instanceof ImportOptionsError) throw notFound(error.message);
      if (error instanceof StillReferencedError) throw new ClientError(409, 'Conflict', error.message);
      throw error;
    }
  });
  return router;
}
