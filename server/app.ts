// Builds the Koa application from its parts; no I/O here beyond what the parts are given.
import Koa from 'koa';
import serve from 'koa-static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { Database } from '../core/db/database.ts';
import { createChangeSignal } from '../core/db/change-signal.ts';
import { createReadRouter, type ReadRouter } from '../core/db/read-router.ts';
import { readYourWrites } from './http/read-your-writes.ts';
import { registerReplicaMetrics } from './http/replica-metrics.ts';
import { registerPoolMetrics } from './http/pool-metrics.ts';
import type { LayerRegistry } from '../core/layers/registry.ts';
import { errorMiddleware, loggableError, loggableUrl } from './http/errors.ts';
import type { RouteDeps } from './http/route-deps.ts';
import { createMetrics } from './http/metrics.ts';
import { constantSecurityHeaders, securityHeaders } from './http/security-headers.ts';
import { requestId } from './http/request-id.ts';
import { compression } from './http/compression.ts';
import { routerIndex } from './http/router-index.ts';
import { createRateLimiter, type RateLimiter } from './http/rate-limiter.ts';
import { healthRoutes, type DatabaseInfo } from './http/health.routes.ts';
import { layersRoutes } from './layers/layers.routes.ts';
import { territoryRoutes } from './territory/territory.routes.ts';
import { tileEndpoint } from './tiles/tiles.routes.ts';
import { leanTileRoute } from './http/lean-tiles.ts';
import { leanItemsRoute } from './http/lean-items.ts';
import { leanPath } from './http/lean-path.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { accountsRoutes } from './auth/accounts.routes.ts';
import { setupRoutes } from './auth/setup.routes.ts';
import { ogcEndpoint } from './features/ogc.routes.ts';
import { createSummaryCache } from './features/collection-summary.ts';
import { downloadsRoutes } from './downloads/downloads.routes.ts';
import { geocodeRoutes } from './geocode/geocode.routes.ts';
import { eligibilityRoutes } from './eligibility/eligibility.routes.ts';
import { zonesThdRoutes } from './zones/zones-thd.routes.ts';
import { zonesRoutes } from './zones/zones.routes.ts';
import { lotsRoutes } from './lots/lots.routes.ts';
import { importsRoutes } from './imports/imports.routes.ts';
import type { ImportJobs } from './imports/import-jobs.ts';
import { emptyLayerRoutes } from './imports/empty-layer.routes.ts';
import { zaeRoutes } from './zae/zae.routes.ts';
import { incidentsRoutes } from './incidents/incidents.routes.ts';
import { open311Routes } from './open311/open311.routes.ts';
import type { IncidentServices } from './incidents/incident-context.ts';
import { createMailer } from './mail/mailer.ts';
import { registerMailMetrics } from './mail/mail-metrics.ts';
import { createDataFileStore } from './storage/file-store.ts';
import { catalogueRoutes } from './catalogue/catalogue.routes.ts';
import { enquiriesRoutes } from './enquiries/enquiries.routes.ts';
import { expiriesRoutes } from './expiries/expiries.routes.ts';
import { dashboardRoutes } from './dashboard/dashboard.routes.ts';
import { attachmentsRoutes } from './attachments/attachments.routes.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  layers: LayerRegistry;
  log: Logger;
  databaseInfo: DatabaseInfo;
  sessionSecret: string;
  /** The import jobs (recovered after a restart before the app serves). */
  importJobs: ImportJobs;
  /** Shared rate-limit counters (default: in the database; main.ts passes Redis's when REDIS_URL is set). */
  rateLimiter?: RateLimiter;
  /** Photo store and mailer of incident reporting (default: files under DATA_DIR/files, mail through SMTP_URL). */
  incidentServices?: IncidentServices;
  /** Where public reads go (READ_DATABASE_URL); by default all reads go to `db`. */
  readRouter?: ReadRouter;
  /** Built web app to serve at `/` (default web/dist). */
  webRoot?: string;
  /** Plain tile and OGC items GETs answered ahead of Koa (server/http/lean-path.ts); on unless false (tests compare both paths). */
  leanPaths?: boolean;
}

/** Error codes of a client that went away mid-answer: nothing went wrong on our side. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

export function createApp(deps: AppDeps): Koa {
  const { config, db, layers, log, databaseInfo } = deps;
  // maxIpsCount: only the entries the trusted proxies appended to X-Forwarded-For count; the client
  // can write anything to their left.
  const app = new Koa({ proxy: config.trustProxyHops > 0, maxIpsCount: config.trustProxyHops, keys: [deps.sessionSecret] });
  const metrics = createMetrics();
  for (const metric of deps.importJobs.metrics) metrics.registry.registerMetric(metric);
  const readRouter = deps.readRouter ?? createReadRouter({ primary: db, maxLagMs: config.replicaMaxLagMs, probeIntervalMs: 0 });
  registerReplicaMetrics(metrics.registry, readRouter);
  registerPoolMetrics(metrics.registry, db);
  const routeDeps: RouteDeps = {
    config, db, reads: readRouter.reads, layers, log, metrics: metrics.registry,
    // On the primary: the versions every instance agrees on. A tile read from a replica that has
    // not replayed them yet is built again on the primary (see the tile service).
    changes: createChangeSignal(db, config.tileFreshnessMs),
    summaries: createSummaryCache(db, metrics.registry),
    rateLimiter: deps.rateLimiter ?? createRateLimiter(db),
  };

  // One mailer, so one bound on what every form may queue and on the SMTP connections they open.
  const mailer = deps.incidentServices?.mailer ?? createMailer(config.smtpUrl, config.mailFrom, log);
  registerMailMetrics(metrics.registry, mailer);
  const incidentServices: IncidentServices = deps.incidentServices ?? {
    // Outside web/dist: photos are served only through their route, by an unguessable key.
    files: createDataFileStore(config.dataDir),
    mailer,
  };

  app.use(requestId);
  // Outside the error handler, so a thrown 400 or 500 is counted with the status it was answered.
  app.use(metrics.middleware);
  app.use(errorMiddleware(log));
  app.use(securityHeaders({ frameAncestors: config.frameAncestors }));
  app.use(compression());
  app.use(readYourWrites(readRouter, config.readYourWritesS));
  // Public reads on the replicas; the rest of each route keeps the primary.
  const publicReads: RouteDeps = { ...routeDeps, db: readRouter.reads };

  const tiles = tileEndpoint(routeDeps);
  const ogc = ogcEndpoint(publicReads);
  app.use(routerIndex([
    healthRoutes(routeDeps, databaseInfo, readRouter),
    layersRoutes(routeDeps),
    territoryRoutes(routeDeps),
    tiles.router,
    authRoutes(routeDeps),
    accountsRoutes(routeDeps),
    setupRoutes(routeDeps),
    ogc.router,
    downloadsRoutes(publicReads),
    geocodeRoutes(publicReads),
    eligibilityRoutes(publicReads),
    zonesThdRoutes(routeDeps),
    zonesRoutes(routeDeps),
    lotsRoutes(routeDeps),
    importsRoutes(routeDeps, deps.importJobs),
    emptyLayerRoutes(routeDeps),
    zaeRoutes(routeDeps),
    incidentsRoutes(routeDeps, incidentServices),
    open311Routes(routeDeps, incidentServices),
    catalogueRoutes(routeDeps),
    enquiriesRoutes(routeDeps, mailer),
    expiriesRoutes(routeDeps),
    dashboardRoutes(routeDeps),
    attachmentsRoutes(routeDeps),
  ]));
  app.use(async (ctx, next) => {
    if (ctx.path !== '/metrics') return next();
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  // Errors Koa meets after the answer began (a stream that failed mid-body, a client gone): without
  // a listener Koa prints each to stderr with its stack, outside the structured log.
  app.on('error', (err: NodeJS.ErrnoException, ctx?: Koa.Context) => {
    const fields = { err: loggableError(err), requestId: ctx?.state.requestId, path: ctx && loggableUrl(ctx.path) };
    if (err.code && CLIENT_GONE.has(err.code)) log.debug(fields, 'client closed the connection before the answer ended');
    else log.error(fields, 'answer failed after it began');
  });

  if (deps.leanPaths !== false) {
    const generic = app.callback.bind(app);
    const routes = [leanTileRoute(tiles), leanItemsRoute(ogc.items, { publicBaseUrl: config.publicBaseUrl, trustProxy: app.proxy })];
    const options = { securityHeaders: constantSecurityHeaders({ frameAncestors: config.frameAncestors }), metrics, readRouter, trustProxy: app.proxy };
    // Every server is made from app.callback() (main.ts, tests, benchmarks): the lean path goes in front there.
    app.callback = () => leanPath(routes, options, generic());
  }

  const webRoot = deps.webRoot ?? DEFAULT_WEB_ROOT;
  if (existsSync(webRoot)) {
    app.use(
      serve(webRoot, {
        index: 'index.html',
        // Hashed assets never change; index.html must be revalidated so a deploy is seen at once.
        setHeaders: (res, path) =>
          res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      }),
    );
  } else {
    log.warn({ webRoot }, 'web app not built: run `npm run build:web`');
  }
  return app;
}
