// Open311 GeoReport v2 documents in the spec's two formats: JSON, and XML (the required one) built
// with xmlbuilder2, including the spec's error list.
import { create } from 'xmlbuilder2';

export type Open311Format = 'json' | 'xml';

/** A value of a document: scalars become element text; a list becomes repeated child elements. */
export type XmlValue = string | number | boolean | null | undefined | XmlList | XmlRecord;
export interface XmlRecord { readonly [name: string]: XmlValue }
/** A list, with the name of each element in XML (`formats` → `format`). */
export interface XmlList { readonly itemName: string; readonly items: readonly XmlValue[] }

export const list = (itemName: string, items: readonly XmlValue[]): XmlList => ({ itemName, items });

const isList = (value: XmlValue): value is XmlList => typeof value === 'object' && value !== null && 'itemName' in value && 'items' in value;

function toJson(value: XmlValue): unknown {
  if (isList(value)) return value.items.map(toJson);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value ?? null;
}

type XmlNode = ReturnType<typeof create>;

function appendXml(parent: XmlNode, name: string, value: XmlValue): void {
  const element = parent.ele(name);
  if (isList(value)) {
    for (const item of value.items) appendXml(element, value.itemName, item);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) appendXml(element, k, v);
  } else if (value !== null && value !== undefined) {
    element.txt(String(value));
  }
}

/** The body and content type of a document whose XML root is `root` (the JSON is the root's content). */
export function render(format: Open311Format, root: string, value: XmlValue): { type: string; body: string } {
  if (format === 'json') return { type: 'application/json; charset=utf-8', body: JSON.stringify(toJson(value)) };
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  if (isList(value)) {
    const element = doc.ele(root);
    for (const item of value.items) appendXml(element, value.itemName, item);
  } else {
    appendXml(doc, root, value);
  }
  return { type: 'text/xml; charset=utf-8', body: doc.end({ prettyPrint: false }) };
}

/** The spec's error list: `[{"code":400,"description":"…"}]`, `<errors><error>…</error></errors>`. */
export function renderErrors(format: Open311Format, status: number, description: string): { type: string; body: string } {
  return render(format, 'errors', list('error', [{ code: status, description }]));
}

/** Splits `requests.json` into its name and format; undefined for another suffix. */
export function splitFormat(file: string | undefined): { name: string; format: Open311Format } | undefined {
  const match = /^(.+)\.(json|xml)$/.exec(file ?? '');
  return match ? { name: match[1]!, format: match[2] as Open311Format } : undefined;
}
