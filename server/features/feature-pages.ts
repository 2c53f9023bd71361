// Reads matching features page by page (keyset on the feature id), so that a large response is
// streamed a page at a time and no connection is held between pages (the embedded database has one).
import { hash } from 'node:crypto';
import type { Queryable } from '../../core/db/database.ts';
import { featurePageSql, type LayerSql, type PageRow, type PageStart, type SqlQuery } from './feature-sql.ts';
import type { FeatureQuery } from './ogc-params.ts';

/** Features per database round trip: large enough to amortise it, small enough to stream. */
export const ITEMS_PAGE_SIZE = 1000;

/** What a response of one or more database pages adds up to, for its links and numberReturned. */
export interface PageTally {
  returned: number;
  /** Lowest and highest id sent (null when none). */
  first: number | null;
  last: number | null;
  /** More features match beyond what was sent, in the direction of travel. */
  more: boolean;
}

export interface FeaturePages {
  /** Every matching feature, when it was counted (asked for, or free to know). */
  readonly matched?: number;
  /** The first page, already read and in the tally: the whole response when `single`. */
  readonly first: PageRow;
  /** The pages of at most `pageSize` features each, up to the query's limit; pulled lazily. */
  readonly pages: AsyncGenerator<PageRow>;
  /** The first page is the only one: the response can be sent whole rather than streamed. */
  readonly single: boolean;
  /** What the pages read so far add up to (the first one from the start); final once `pages` is done. */
  readonly tally: PageTally;
}

/** Where the request starts its page. */
export function pageStart(q: FeatureQuery): PageStart {
  if (q.after !== undefined) return { after: q.after };
  if (q.before !== undefined) return { before: q.before };
  return { offset: q.offset };
}

/**
 * Statement names by SQL text: each connection plans a shape once and reuses the plan, as for tiles.
 * Shapes come from the request's filters and chosen properties, so only the first MAX_NAMED get a
 * name: a client cycling through property lists cannot grow every connection's statement cache.
 */
const MAX_NAMED = 512;
const statementNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known || statementNames.size >= MAX_NAMED) return known;
  const name = `ogc_${hash('sha1', text, 'base64url')}`;
  statementNames.set(text, name);
  return name;
}

async function fetchPage(db: Queryable, query: SqlQuery): Promise<PageRow> {
  return (await db.query<PageRow & Record<string, unknown>>(query.text, query.values, statementName(query.text))).rows[0]!;
}

/**
 * Fetches the first page now (so errors come before any byte is sent), counting the matches too
 * when `count` is set; the rest on demand, each page after the last id of the one before.
 * A `before` page is read in one statement (at most the 10,000 of the largest limit).
 */
export async function queryFeaturePages(db: Queryable, ls: LayerSql, q: FeatureQuery,
  { count = false, pageSize = ITEMS_PAGE_SIZE }: { count?: boolean; pageSize?: number } = {}): Promise<FeaturePages> {
  const start = pageStart(q);
  const firstSize = 'before' in start ? q.limit : Math.min(q.limit, pageSize);
  const first = await fetchPage(db, featurePageSql(ls, q, { size: firstSize, start, count }));
  const tally: PageTally = { returned: 0, first: null, last: null, more: false };
  const add = (page: PageRow) => {
    tally.returned += page.n;
    tally.first ??= page.first;
    if (page.last !== null) tally.last = page.last;
    tally.more = page.more;
  };
  add(first);
  async function* pages(): AsyncGenerator<PageRow> {
    yield first;
    let page = first;
    while (page.more && tally.returned < q.limit) {
      page = await fetchPage(db, featurePageSql(ls, q, { size: Math.min(pageSize, q.limit - tally.returned), start: { after: page.last! } }));
      add(page);
      yield page;
    }
  }
  return {
    ...(first.matched !== undefined && first.matched !== null ? { matched: first.matched } : {}),
    first,
    pages: pages(),
    single: !first.more || first.n >= q.limit,
    tally,
  };
}

/**
 * Every public feature of a layer as GeoJSON text pages, one feature per line: the whole-layer
 * download. Each page is its own short query, so a slow client never holds the database.
 */
export async function* allFeaturePages(db: Queryable, ls: LayerSql, q: FeatureQuery, pageSize: number): AsyncGenerator<PageRow> {
  let start: PageStart = { offset: 0 };
  for (;;) {
    const page = await fetchPage(db, featurePageSql(ls, q, { size: pageSize, start, separator: ',\n' }));
    if (page.n > 0) yield page;
    if (!page.more) return;
    start = { after: page.last! };
  }
}
