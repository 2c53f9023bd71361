// A feature described for a reader: its public properties under their labels, in the current language,
// code values and references to other layers' features by name, bookkeeping left out.
import type { FieldInfo, Lang, LayerInfo } from './api.ts';
import { getLang, pick, t } from './i18n.ts';

/** The name of feature `id` of layer `layerId` (a lot's business zone), when known. */
export type NameOf = (layerId: string, id: string) => string | undefined;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function locale(lang: Lang): string {
  return lang === 'fr' ? 'fr-FR' : 'en-GB';
}

/** Array properties arrive as arrays from GeoJSON but as JSON text from vector tiles. */
function asList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: shown as plain text.
    }
  }
  return null;
}

/** One property value as the reader should see it: code-list label, localised number or date, or text. */
export function formatValue(field: FieldInfo, value: unknown, lang: Lang, nameOf: NameOf = () => undefined): string {
  const named = field.references && nameOf(field.references.layer, String(value));
  if (named) return named;
  if (field.format === 'siret' && typeof value === 'string' && /^[0-9]{14}$/.test(value)) {
    return value.replace(/^(\d{3})(\d{3})(\d{3})(\d{5})$/, '$1 $2 $3 $4'); // SIREN in threes, then the NIC
  }
  const code = field.values?.find((v) => v.value === String(value));
  if (code) return code.label[lang] || code.label.fr;
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (typeof value === 'number' && (field.type === 'number' || field.type === 'integer')) {
    return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 2 }).format(value);
  }
  if (typeof value === 'string' && (field.type === 'date' || field.type === 'datetime') && ISO_DATE.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) {
      const options: Intl.DateTimeFormatOptions = field.type === 'date'
        ? { dateStyle: 'long', timeZone: 'UTC' } // a bare date is a calendar day, not an instant
        : { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' };
      return new Intl.DateTimeFormat(locale(lang), options).format(date);
    }
  }
  const list = asList(value);
  if (list) return list.map(String).join(', ');
  return String(value);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** A thematic feature drawn on the map: the layer it belongs to and its public properties. */
export interface FeatureHit {
  layer: LayerInfo;
  properties: Record<string, unknown>;
}

/** The text that names a feature in a list: its layer's label property, else its first filled text, else the layer title. */
export function featureName(hit: FeatureHit, nameOf?: NameOf): string {
  const lang = getLang();
  const filled = hit.layer.fields.filter((f) => !f.internal && f.type === 'text' && !isEmpty(hit.properties[f.name]));
  const field = filled.find((f) => f.name === hit.layer.style.label) ?? filled.find((f) => !f.values);
  return field ? formatValue(field, hit.properties[field.name], lang, nameOf) : pick(hit.layer.title);
}

/** The description of a feature: a heading (the layer title; the answer panel's sections are h3), then a definition list of its non-empty public properties. */
export function buildFeatureDetails(hit: FeatureHit, nameOf: NameOf): HTMLElement {
  const { layer, properties } = hit;
  const lang = getLang();
  const root = document.createElement('section');
  root.className = 'feature-details';
  root.dataset.layer = layer.id;
  const heading = document.createElement('h4');
  heading.textContent = pick(layer.title);
  const list = document.createElement('dl');
  for (const field of layer.fields) {
    const value = properties[field.name];
    if (field.internal || isEmpty(value)) continue;
    const term = document.createElement('dt');
    term.textContent = pick(field.label) || field.name;
    const definition = document.createElement('dd');
    const text = formatValue(field, value, lang, nameOf);
    if (/^https?:\/\//.test(text)) {
      const link = document.createElement('a');
      link.href = text;
      link.textContent = text;
      link.rel = 'noopener noreferrer';
      link.target = '_blank';
      definition.append(link);
    } else {
      definition.textContent = text;
    }
    list.append(term, definition);
  }
  root.append(heading, list);
  return root;
}
