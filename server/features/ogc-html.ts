// HTML pages of the OGC API (conformance class "html"): plain server-rendered pages to browse the
// layers and their features, every value escaped; no script.
import type { Lang } from '../../core/layers/layer-def.ts';
import type { Link } from './ogc-documents.ts';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}a{color:#1d5fa8}nav{font-size:13px;margin-bottom:1rem}code{background:#f3f3f3;padding:0 .2rem}`;

/** A complete page around `body`; `crumbs` lead back to the landing page. */
export function htmlPage(lang: Lang, title: string, crumbs: readonly Link[], body: string): string {
  const nav = crumbs.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.title)}</a>`).join(' › ');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><nav>${nav}</nav><h1>${escapeHtml(title)}</h1>
${body}</body></html>`;
}

/** A page opened in pieces, so that long feature tables stream. */
export function htmlPageStart(lang: Lang, title: string, crumbs: readonly Link[], intro: string): string {
  const page = htmlPage(lang, title, crumbs, `${intro}<!--body-->`);
  return page.slice(0, page.indexOf('<!--body-->'));
}

export const HTML_PAGE_END = '</body></html>';

/** The links of a document as a list (type and title shown). */
export function linksHtml(links: readonly Link[]): string {
  const items = links.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.title ?? l.rel)}</a>` +
    ` <small>(${escapeHtml(l.rel)}${l.type ? `, ${escapeHtml(l.type)}` : ''})</small></li>`);
  return `<ul>${items.join('')}</ul>`;
}

/** A value in a table cell: arrays joined, objects as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return escapeHtml(value.join(', '));
  return escapeHtml(typeof value === 'object' ? JSON.stringify(value) : value);
}

/** A two-column table of a record's entries. */
export function recordHtml(record: Readonly<Record<string, unknown>>): string {
  const rows = Object.entries(record).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${cell(v)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

/** Opening of the features table: one column for the id, one per property. */
export function featureTableStart(names: readonly string[]): string {
  return `<table><thead><tr><th>id</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr></thead><tbody>`;
}

export const FEATURE_TABLE_END = '</tbody></table>';

interface FeatureLike {
  id: number;
  properties: Record<string, unknown> | null;
}

/** Table rows for features, each id linking to the feature's own page. */
export function featureRowsHtml(features: readonly FeatureLike[], names: readonly string[], itemsUrl: string): string {
  return features.map((f) => `<tr><td><a href="${escapeHtml(`${itemsUrl}/${f.id}?f=html`)}">${f.id}</a></td>` +
    names.map((n) => `<td>${cell(f.properties?.[n])}</td>`).join('') + '</tr>').join('\n');
}
