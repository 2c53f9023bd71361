// DOM helpers the imports and accounts panels share: an element builder, texts kept in the
// reader's language (relabelled in place, so a language switch keeps what was typed), and form
// errors linked to their field with aria-describedby.
import type { Lang } from '../api.ts';

type Child = Node | string | null | undefined | false;

/** Creates `tag` with attributes (`class`, `aria-*`, `for`…; false/undefined are left out) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Parameters of a text: `{n}` in the string is replaced by `params.n`. */
export type TextParams = Readonly<Record<string, string | number>>;

/** Looks a string up in the reader's language and fills its parameters. */
export type Translate<K extends string> = (lang: Lang, key: K, params?: TextParams) => string;

/** Builds a Translate from a fr/en table whose French half is the reference. */
export function translator<K extends string>(table: Readonly<Record<Lang, Readonly<Record<K, string>>>>): Translate<K> {
  return (lang, key, params = {}) =>
    table[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? formatParam(lang, params[name]!) : whole));
}

function formatParam(lang: Lang, value: string | number): string {
  return typeof value === 'number' ? value.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB') : value;
}

/** Texts on screen that follow the language: each node remembers its key (and attribute). */
export class Texts<K extends string> {
  private readonly bound: { node: Element; key: K; params: TextParams; attribute?: string }[] = [];

  constructor(
    private readonly translate: Translate<K>,
    private lang: Lang,
  ) {}

  /** The text now, in the current language (for texts built on the fly). */
  t(key: K, params: TextParams = {}): string {
    return this.translate(this.lang, key, params);
  }

  get current(): Lang {
    return this.lang;
  }

  /** Sets `node`'s text (or `attribute`) to `key` and keeps it in the reader's language; returns the node. */
  bind<N extends Element>(node: N, key: K, params: TextParams = {}, attribute?: string): N {
    const entry = this.bound.find((b) => b.node === node && b.attribute === attribute);
    if (entry) Object.assign(entry, { key, params });
    else this.bound.push({ node, key, params, attribute });
    this.apply(node, key, params, attribute);
    return node;
  }

  /** Stops following `node` (its text is set from elsewhere now, e.g. a server's message). */
  unbind(node: Element): void {
    for (let i = this.bound.length - 1; i >= 0; i--) if (this.bound[i]!.node === node) this.bound.splice(i, 1);
  }

  /** An element whose text is `key`. */
  text<T extends keyof HTMLElementTagNameMap>(tag: T, key: K, attributes: Record<string, string | number | boolean | undefined> = {}, params: TextParams = {}): HTMLElementTagNameMap[T] {
    return this.bind(el(tag, attributes), key, params);
  }

  /** Forgets nodes no longer in the document (a list redrawn). */
  prune(): void {
    for (let i = this.bound.length - 1; i >= 0; i--) if (!this.bound[i]!.node.isConnected) this.bound.splice(i, 1);
  }

  relabel(lang: Lang): void {
    this.lang = lang;
    this.prune();
    for (const { node, key, params, attribute } of this.bound) this.apply(node, key, params, attribute);
  }

  private apply(node: Element, key: K, params: TextParams, attribute?: string): void {
    const text = this.translate(this.lang, key, params);
    if (attribute) node.setAttribute(attribute, text);
    else node.textContent = text;
  }
}

/** Shows `message` under `field` (linked by aria-describedby, field marked invalid), or clears it. */
export function setFieldError(field: HTMLElement, errorNode: HTMLElement, message: string | null): void {
  errorNode.textContent = message ?? '';
  errorNode.hidden = message === null;
  const ids = new Set((field.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  if (message === null) {
    ids.delete(errorNode.id);
    field.removeAttribute('aria-invalid');
  } else {
    ids.add(errorNode.id);
    field.setAttribute('aria-invalid', 'true');
  }
  if (ids.size) field.setAttribute('aria-describedby', [...ids].join(' '));
  else field.removeAttribute('aria-describedby');
}

/** A date-time as the reader writes it. */
export function formatDateTime(lang: Lang, iso: string | undefined | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}
