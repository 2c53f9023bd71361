// The text of an items response, JSON or HTML, a page of features at a time: what follows the
// features (numberReturned, numberMatched, links) is known only once they are all read.
import { FEATURE_TABLE_END, HTML_PAGE_END, featureRowsHtml, linksHtml } from './ogc-html.ts';
import type { Link } from './ogc-documents.ts';

/** The chunks as one text: a response small enough to go out whole, with a Content-Length. */
export async function join(chunks: AsyncGenerator<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

/** What follows the features: known only once they are all sent. */
export interface PageEnd {
  returned: number;
  matched: number | undefined;
  links: Link[];
}

export function featureCollectionStart(): string {
  return `{"type":"FeatureCollection","timeStamp":"${new Date().toISOString()}","features":[`;
}

/** numberReturned, numberMatched and the links follow the features: they count what was actually sent. */
export function featureCollectionEnd(end: PageEnd): string {
  const matched = end.matched === undefined ? '' : `,"numberMatched":${end.matched}`;
  return `],"numberReturned":${end.returned}${matched},"links":${JSON.stringify(end.links)}}`;
}

export async function* featureCollectionJson(pages: AsyncGenerator<{ n: number; features: string }>, ending: () => PageEnd): AsyncGenerator<string> {
  yield featureCollectionStart();
  let separator = '';
  for await (const page of pages) {
    if (page.n === 0) continue;
    yield separator + page.features;
    separator = ',';
  }
  yield featureCollectionEnd(ending());
}

export interface HtmlItems {
  start: string;
  names: readonly string[];
  itemsUrl: string;
  ending: () => PageEnd;
}

export async function* featureCollectionHtml(pages: AsyncGenerator<{ n: number; features: string }>, h: HtmlItems): AsyncGenerator<string> {
  yield h.start;
  for await (const page of pages) {
    if (page.n === 0) continue;
    yield featureRowsHtml(JSON.parse(`[${page.features}]`), h.names, h.itemsUrl);
  }
  yield `${FEATURE_TABLE_END}${linksHtml(h.ending().links.filter((l) => l.rel !== 'self'))}${HTML_PAGE_END}`;
}
