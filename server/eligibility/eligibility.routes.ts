// GET /api/eligibility: "is fibre available here?" for a point, a BAN address, a parcel or a lot.
import Router from '@koa/router';
import type { Database } from '../../core/db/database.ts';
import { notFound } from '../http/errors.ts';
import { findAddressId } from '../geocode/geocode-sql.ts';
import { buildAnswer, type AnswerContext } from './eligibility-answer.ts';
import { parseEligibilityTarget, type EligibilityTarget } from './eligibility-params.ts';
import { buildEligibilitySql, ELIGIBILITY_COLUMNS, type EligibilityRow, type EligibilityStatements } from './eligibility-sql.ts';
import { assertPublicColumns } from './public-fields.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** Answers change only when data is imported: a minute of caching spares repeated clicks. */
const CACHE_CONTROL = 'public, max-age=60';

type KnownTarget = Exclude<EligibilityTarget, { kind: 'address_text' }>;

const paramsOf = (target: KnownTarget): unknown[] => (target.kind === 'point' ? [target.lon, target.lat] : [target.id]);

const describe = (target: EligibilityTarget): string =>
  target.kind === 'point' ? `point ${target.lon},${target.lat}`
    : target.kind === 'address_text' ? `address matching "${target.text.slice(0, 80)}"` : `${target.kind} "${target.id}"`;

/** Runs the statement for `target` and builds the answer; undefined when the address, parcel or lot does not exist. */
export async function findEligibility(db: Database, sql: EligibilityStatements, ctx: AnswerContext, target: KnownTarget) {
  const { rows } = await db.query<{ body: string }>(sql[target.kind], paramsOf(target));
  return rows[0] ? buildAnswer(ctx, JSON.parse(rows[0].body) as EligibilityRow) : undefined;
}

export function eligibilityRoutes({ db, layers, config }: RouteDeps): Router {
  assertPublicColumns(layers, 'eligibility', ELIGIBILITY_COLUMNS);
  const sql = buildEligibilitySql(layers);
  const ctx: AnswerContext = { layers, territory: config.openDataPublisher };
  const router = new Router();
  router.get('/api/eligibility', async (koa) => {
    const target = parseEligibilityTarget(koa.query);
    const id = target.kind === 'address_text' ? await findAddressId(db, target.text) : undefined;
    const known: KnownTarget | undefined = target.kind !== 'address_text' ? target : id ? { kind: 'address', id } : undefined;
    const answer = known && await findEligibility(db, sql, ctx, known);
    if (!answer) throw notFound(`no ${describe(target)} in the data`);
    koa.set('Cache-Control', CACHE_CONTROL);
    koa.body = answer;
  });
  return router;
}
