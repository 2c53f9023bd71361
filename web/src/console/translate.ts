// One string table per console concern, read in the language the shell has set (i18n.ts).
import type { Lang } from '../api.ts';
import { getLang } from '../i18n.ts';

/** A table's lookup: the key's text in the current language, `{name}` filled from `params`. */
export type Translate<K extends string> = (key: K, params?: Record<string, string | number>) => string;

/** Builds the lookup for a table whose English side has the same keys as the French one. */
export function translator<K extends string>(strings: Readonly<Record<Lang, Readonly<Record<K, string>>>>): Translate<K> {
  return (key, params = {}) =>
    strings[getLang()][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Relabels markup from a table: `data-<prefix>` sets the text, `data-<prefix>-<attr>` that attribute
 * (so each table relabels only its own keys).
 */
export function relabel<K extends string>(root: ParentNode, prefix: string, t: Translate<K>): void {
  const text = `data-${prefix}`;
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    for (const attr of el.getAttributeNames()) {
      if (attr === text) el.textContent = t(el.getAttribute(attr) as K);
      else if (attr.startsWith(`${text}-`)) el.setAttribute(attr.slice(text.length + 1), t(el.getAttribute(attr) as K));
    }
  }
}
