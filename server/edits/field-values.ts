// Reads the fields of an edit (a flat JSON object) against a layer description: only editable
// properties, each of its type and code list; every refusal is a 422 naming the field.
import type { LayerDef, PropertyDef } from '../../core/layers/layer-def.ts';
import { parseDate } from '../../core/layers/property-values.ts';
import { unprocessable } from '../http/errors.ts';

/** Longest text a field may hold. */
const MAX_TEXT = 4000;

/** Property name → value (null clears it), typed as the column stores it. */
export type FieldValues = Record<string, unknown>;

const TYPE_NAMES: Record<PropertyDef['type'], string> = {
  text: 'du texte / text', integer: 'un entier / an integer', number: 'un nombre / a number', date: 'une date AAAA-MM-JJ / a YYYY-MM-DD date',
  datetime: 'une date-heure ISO 8601 / an ISO 8601 date-time', boolean: 'true ou false / true or false', 'text[]': 'une liste de textes / a list of texts',
};

function typed(p: PropertyDef, raw: unknown): unknown {
  const wrong = () => unprocessable(p.name, `${p.name} doit être ${TYPE_NAMES[p.type]} / ${p.name} must be ${TYPE_NAMES[p.type].split(' / ')[1]}`);
  switch (p.type) {
    case 'text': {
      if (typeof raw !== 'string') throw wrong();
      const text = raw.trim();
      if (text.length > MAX_TEXT) throw unprocessable(p.name, `${p.name} : ${MAX_TEXT} caractères au plus / at most ${MAX_TEXT} characters`);
      return text === '' ? null : text;
    }
    case 'integer':
      if (!Number.isInteger(raw) || Math.abs(raw as number) > 2147483647) throw wrong();
      return raw;
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw wrong();
      return raw;
    case 'date':
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || parseDate(raw) !== raw) throw wrong();
      return raw;
    case 'datetime':
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(Date.parse(raw))) throw wrong();
      return raw;
    case 'boolean':
      if (typeof raw !== 'boolean') throw wrong();
      return raw;
    case 'text[]':
      if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string')) throw wrong();
      return raw;
  }
}

/**
 * The editable fields of `body` (members listed in `ignore`, such as `version` or `geometry`, are
 * left to the caller), typed and checked: unknown and computed properties, wrong types, values
 * outside a code list, and null for a required property are refused.
 */
export function parseFieldValues(layer: LayerDef, body: Readonly<Record<string, unknown>>, ignore: readonly string[] = []): FieldValues {
  const values: FieldValues = {};
  for (const [name, raw] of Object.entries(body)) {
    if (ignore.includes(name)) continue;
    const p = layer.properties.find((q) => q.name === name);
    if (!p) throw unprocessable(name.slice(0, 60), `champ inconnu / unknown field "${name.slice(0, 60)}"`);
    if (p.computed) throw unprocessable(name, `${name} est calculé par la base, il ne se saisit pas / ${name} is computed by the database and cannot be set`);
    const value = raw === null ? null : typed(p, raw);
    if (value === null && p.required) throw unprocessable(name, `${name} est obligatoire / ${name} is required`);
    if (p.range && typeof value === 'number' && (value < p.range.min || value > p.range.max)) {
      throw unprocessable(name, `${name} : ${value} hors de ${p.range.min}–${p.range.max} / ${name} must lie between ${p.range.min} and ${p.range.max}`);
    }
    if (value !== null && p.values && !p.values.some((v) => v.value === value)) {
      const allowed = p.values.map((v) => v.value).join(', ');
      throw unprocessable(name, `${name} : « ${String(value).slice(0, 40)} » n'est pas une valeur permise (${allowed}) / not one of ${allowed}`);
    }
    values[name] = value;
  }
  return values;
}

/** Throws a 422 naming the first required, editable property missing from a new feature's fields. */
export function checkRequiredFields(layer: LayerDef, values: FieldValues, provided: readonly string[] = []): void {
  for (const p of layer.properties) {
    if (p.required && !p.computed && !provided.includes(p.name) && (values[p.name] === undefined || values[p.name] === null)) {
      throw unprocessable(p.name, `${p.name} est obligatoire / ${p.name} is required`);
    }
  }
}
