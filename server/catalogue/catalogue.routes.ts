// The public catalogue of business-zone lots: GET /api/catalogue/lots (lots on the market, filtered),
// /api/catalogue/zones, /api/catalogue/lots/{id} (public fields, fibre answer, neighbours, public files).
import Router from '@koa/router';
import { createVersionedMemo, versionTag } from '../../core/db/change-signal.ts';
import { buildEligibilitySql, ELIGIBILITY_COLUMNS, type FibreStatus } from '../eligibility/eligibility-sql.ts';
import { findEligibility } from '../eligibility/eligibility.routes.ts';
import type { AnswerContext } from '../eligibility/eligibility-answer.ts';
import { assertPublicColumns } from '../eligibility/public-fields.ts';
import { pathId } from '../http/json-body.ts';
import { notFound } from '../http/errors.ts';
import { rejectUnknownParameters } from '../http/params.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { parseCatalogueFilter } from './catalogue-params.ts';
import { buildCatalogueSql, CATALOGUE_COLUMNS, type CatalogueLotRow } from './catalogue-sql.ts';

/** Fibre answers that mean a business can order fibre now. */
export const FIBRE_AVAILABLE: readonly FibreStatus[] = ['deployed', 'connectable'];
/** Layers a lot's fibre answer depends on. */
const FIBRE_SOURCES = ['zone_lots', 'fibre_phases', 'fibre_premises', 'addresses', 'parcels'];
const CACHE_CONTROL = 'public, max-age=60';

const feature = ({ geometry, ...properties }: CatalogueLotRow & Record<string, unknown>, fibre: FibreStatus | undefined) => ({
  type: 'Feature' as const, id: properties.id, geometry, properties: { ...properties, fibre_status: fibre ?? 'unknown' },
});

export function catalogueRoutes({ db, layers, config, changes }: RouteDeps): Router {
  assertPublicColumns(layers, 'catalogue', CATALOGUE_COLUMNS);
  assertPublicColumns(layers, 'catalogue fibre answer', ELIGIBILITY_COLUMNS);
  const sql = buildCatalogueSql(layers);
  const eligibility = buildEligibilitySql(layers);
  const answerContext: AnswerContext = { layers, territory: config.openDataPublisher };
  const fibreMemo = createVersionedMemo<ReadonlyMap<number, FibreStatus>>();

  /** The fibre answer's status of every lot on the market, read once per version of its sources. */
  const fibreOfMarketLots = async (): Promise<ReadonlyMap<number, FibreStatus>> => {
    const state = await changes.current();
    return fibreMemo.get('market', versionTag(state, FIBRE_SOURCES), async () => {
      const { rows } = await db.query<{ id: number }>(sql.lots, [null, null, null, null, null, null]);
      const answers = new Map<number, FibreStatus>();
      for (const { id } of rows) {
        const answer = await findEligibility(db, eligibility, answerContext, { kind: 'lot', id });
        if (answer) answers.set(id, answer.fibre.status);
      }
      return answers;
    });
  };

  const router = new Router();
  router.get('/api/catalogue/lots', async (ctx) => {
    const f = parseCatalogueFilter(ctx.query);
    const [{ rows }, fibre] = await Promise.all([
      db.query<CatalogueLotRow & Record<string, unknown>>(sql.lots,
        [f.zone ?? null, f.commune ?? null, f.areaMin ?? null, f.areaMax ?? null, f.priceMax ?? null, f.serviced ?? null]),
      fibreOfMarketLots(),
    ]);
    const available = (id: number) => FIBRE_AVAILABLE.includes(fibre.get(id) ?? 'unknown');
    const kept = f.fibre === undefined ? rows : rows.filter((r) => available(r.id) === f.fibre);
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.body = { type: 'FeatureCollection', numberReturned: kept.length, features: kept.map((r) => feature(r, fibre.get(r.id))) };
  });

  router.get('/api/catalogue/zones', async (ctx) => {
    rejectUnknownParameters(ctx.query, ['lang']);
    const { rows } = await db.query(sql.zones);
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.body = { zones: rows };
  });

  router.get('/api/catalogue/lots/:id', async (ctx) => {
    rejectUnknownParameters(ctx.query, ['lang']);
    const id = pathId(ctx.params.id, 'lot');
    const { rows } = await db.query<CatalogueLotRow & { neighbours: unknown; attachments: unknown } & Record<string, unknown>>(sql.lot, [id]);
    if (!rows[0]) throw notFound(`lot ${id} introuvable / no lot ${id}`);
    const answer = await findEligibility(db, eligibility, answerContext, { kind: 'lot', id });
    const { neighbours, attachments, ...lot } = rows[0];
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.body = {
      ...feature(lot, answer?.fibre.status),
      on_market: sql.marketStatuses.includes(lot.status),
      enquiry_retention_days: config.enquiryRetentionDays,
      fibre: answer ? { status: answer.fibre.status, summary_fr: answer.summary_fr, sources: answer.sources, phase: answer.fibre.phase,
        planned_end: answer.fibre.planned_end } : null,
      neighbours,
      attachments,
    };
  });
  return router;
}
