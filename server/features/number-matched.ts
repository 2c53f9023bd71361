// When an items page says how many features match (`numberMatched`, optional in OGC API – Features):
// only when it is free or cheap to know, as pg_featureserv, since counting a bbox over a large layer
// costs as much as the page itself.
import type { PageTally } from './feature-pages.ts';
import type { PageStart } from './feature-sql.ts';
import type { FeatureQuery } from './ogc-params.ts';

/** How a request learns numberMatched before its features are read: known already, counted with the page, or not at all. */
export type MatchedPlan = { readonly known: number } | 'count' | 'none';

/**
 * Nothing can match a bbox outside its CRS's area; a query without filters matches the whole layer,
 * whose count the collection summary keeps per data version; a layer of at most `countMax` features
 * (OGC_COUNT_MAX_FEATURES) is counted; else none.
 */
export function planNumberMatched(q: FeatureQuery, layerCount: number, countMax: number): MatchedPlan {
  if (q.nothing) return { known: 0 };
  if (!q.bbox && !q.datetime && q.filters.length === 0) return { known: layerCount };
  return layerCount <= countMax ? 'count' : 'none';
}

/**
 * numberMatched once the page is sent: as planned, else free to know on an offset page that
 * reached the last match (every match lies before its end), else unknown.
 */
export function numberMatched(plan: MatchedPlan, counted: number | undefined, start: PageStart, tally: PageTally): number | undefined {
  if (typeof plan === 'object') return plan.known;
  if (plan === 'count') return counted;
  if ('offset' in start && !tally.more && (tally.returned > 0 || start.offset === 0)) return start.offset + tally.returned;
  return undefined;
}
