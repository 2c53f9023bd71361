// Reads matching features page by page (keyset on the feature id), so that a large response is
// streamed a page at a time and no connection is held between pages (the embedded database has one).
import type { Queryable } from '../../core/db/database.ts';
import { firstPageSql, nextPageSql, type FirstPageRow, type LayerSql, type PageRow, type SqlQuery } from './feature-sql.ts';
import type { FeatureQuery } from './ogc-params.ts';

/** Features per database round trip: large enough to amortise it, small enough to stream. */
export const ITEMS_PAGE_SIZE = 1000;

export interface MatchedPages {
  /** Features matching the filters, whatever the limit and offset. */
  readonly matched: number;
  /** The pages of at most `pageSize` features each, up to the query's limit; pulled lazily. */
  readonly pages: AsyncGenerator<PageRow>;
  /** The first page is the only one: the response can be sent whole rather than streamed. */
  readonly single: boolean;
}

/** Counts the matches and fetches the first page now (so errors come before any byte is sent); the rest on demand. */
export async function queryFeaturePages(db: Queryable, ls: LayerSql, q: FeatureQuery, pageSize = ITEMS_PAGE_SIZE): Promise<MatchedPages> {
  const firstSize = Math.min(q.limit, pageSize);
  const { text, values } = firstPageSql(ls, q, firstSize);
  const first = (await db.query<FirstPageRow & Record<string, unknown>>(text, values)).rows[0]!;
  async function* pages(): AsyncGenerator<PageRow> {
    yield first;
    let returned = first.n;
    let last = first.last;
    let full = first.n === firstSize;
    while (full && last !== null && returned < q.limit) {
      const size = Math.min(pageSize, q.limit - returned);
      const page = await fetchPage(db, nextPageSql(ls, q, last, size));
      if (page.n === 0) return;
      yield page;
      returned += page.n;
      last = page.last;
      full = page.n === size;
    }
  }
  return { matched: first.matched, pages: pages(), single: first.n < firstSize || first.n >= q.limit };
}

async function fetchPage(db: Queryable, query: SqlQuery): Promise<PageRow> {
  return (await db.query<PageRow & Record<string, unknown>>(query.text, query.values)).rows[0]!;
}

/**
 * Every public feature of a layer as GeoJSON text pages, one feature per line: the whole-layer
 * download. Each page is its own short query, so a slow client never holds the database.
 */
export async function* allFeaturePages(db: Queryable, ls: LayerSql, q: FeatureQuery, pageSize: number): AsyncGenerator<PageRow> {
  let last = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const page = await fetchPage(db, nextPageSql(ls, q, last, pageSize, ',\n'));
    if (page.n === 0) return;
    yield page;
    if (page.n < pageSize) return;
    last = page.last!;
  }
}
