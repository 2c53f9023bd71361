// Mapping profiles (JSON: source field → property, value maps, defaults, templates) and their
// compilation against a layer description and a file's fields into a per-record mapper.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LayerDef, PropertyType } from '../core/layers/layer-def.ts';
import { Invalid, coerceValue, isBlank } from './coerce.ts';
import type { CsvGeometryColumns } from './sources/csv-source.ts';

/** A mapping profile, as written in JSON (see data-import/README.md). */
export interface MappingProfile {
  name: string;
  description?: string;
  /** The layer the profile is meant for; importing into another one is refused. */
  layer?: string;
  /** Source field → layer property. */
  fields?: Record<string, string>;
  /** Property → (source value → stored value); matched ignoring case, accents and extra spaces.
   *  The key `*` is the value for anything else (without it, an unknown code rejects the row). */
  values?: Record<string, Record<string, string | null>>;
  /** Property → value used when the source gives none. */
  defaults?: Record<string, string | number | boolean | string[]>;
  /** Property → value stored for every feature, whatever the source says. */
  constants?: Record<string, string | number | boolean | string[]>;
  /** Property → a slice of a source field's text: `{ "field": "IDU", "start": 0, "length": 5 }`
   *  (the INSEE code at the head of a 14-character parcel id). */
  parts?: Record<string, FieldPart>;
  /** Number or integer property → decimals to round to before storing (0: whole numbers). */
  round?: Record<string, number>;
  /** Optional property → `"null"`: a value that cannot be converted is stored empty and reported
   *  instead of rejecting the row. */
  onInvalid?: Record<string, 'null'>;
  /** Property → text built from source fields, e.g. "{num_voie} {type_voie} {nom_voie}". */
  templates?: Record<string, string>;
  /** text[] property → separator splitting the source text (default "|"). */
  separators?: Record<string, string>;
  /** Also map properties whose name matches a source field, ignoring case (default true). */
  matchByName?: boolean;
  /** CSV: geometry columns, delimiter, encoding, coordinate system (else detected). */
  geometry?: CsvGeometryColumns;
  delimiter?: string;
  encoding?: string;
  srs?: string;
}

/** A slice of a source field's text, from `start` (0-based), `length` characters (default: to the end). */
export interface FieldPart {
  field: string;
  start: number;
  length?: number;
}

export class MappingError extends Error {}

const PROFILES_DIR = fileURLToPath(new URL('./profiles/', import.meta.url));

/** Names of the built-in profiles (data-import/profiles/*.json). */
export function builtInProfiles(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

const PROFILE_KEYS = new Set([
  'name', 'description', 'layer', 'fields', 'values', 'defaults', 'constants', 'parts', 'round', 'onInvalid', 'templates', 'separators',
  'matchByName', 'geometry', 'delimiter', 'encoding', 'srs',
]);
/** The value-map key that stands for "any other value". */
const OTHER_VALUES = '*';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a parsed JSON profile's shape, naming the first thing wrong. */
export function validateProfile(value: unknown, origin: string): MappingProfile {
  const where = `mapping ${origin}`;
  if (!isRecord(value)) throw new MappingError(`${where}: expected a JSON object`);
  for (const key of Object.keys(value)) if (!PROFILE_KEYS.has(key)) throw new MappingError(`${where}: unknown key "${key}" (known: ${[...PROFILE_KEYS].join(', ')})`);
  const stringMap = (key: string) => {
    const m = value[key];
    if (m === undefined) return;
    if (!isRecord(m) || Object.values(m).some((v) => typeof v !== 'string')) throw new MappingError(`${where}: "${key}" must map names to strings`);
  };
  stringMap('fields');
  stringMap('templates');
  stringMap('separators');
  if (value.values !== undefined) {
    if (!isRecord(value.values)) throw new MappingError(`${where}: "values" must map properties to value maps`);
    for (const [prop, map] of Object.entries(value.values)) {
      if (!isRecord(map) || Object.values(map).some((v) => v !== null && typeof v !== 'string')) {
        throw new MappingError(`${where}: values.${prop} must map source values to stored values (text or null)`);
      }
    }
  }
  for (const key of ['defaults', 'constants']) {
    if (value[key] !== undefined && !isRecord(value[key])) throw new MappingError(`${where}: "${key}" must be an object`);
  }
  if (value.parts !== undefined) {
    if (!isRecord(value.parts)) throw new MappingError(`${where}: "parts" must map properties to {"field", "start", "length"}`);
    for (const [prop, part] of Object.entries(value.parts)) {
      const okPart = isRecord(part) && typeof part.field === 'string' && Number.isInteger(part.start) && (part.start as number) >= 0 &&
        (part.length === undefined || (Number.isInteger(part.length) && (part.length as number) > 0)) &&
        Object.keys(part).every((k) => ['field', 'start', 'length'].includes(k));
      if (!okPart) throw new MappingError(`${where}: parts.${prop} must be {"field": text, "start": whole number ≥ 0, "length": whole number > 0 (optional)}`);
    }
  }
  if (value.round !== undefined) {
    if (!isRecord(value.round) || Object.values(value.round).some((d) => !Number.isInteger(d) || (d as number) < 0 || (d as number) > 12)) {
      throw new MappingError(`${where}: "round" must map properties to a number of decimals from 0 to 12`);
    }
  }
  if (value.onInvalid !== undefined) {
    if (!isRecord(value.onInvalid) || Object.values(value.onInvalid).some((v) => v !== 'null')) {
      throw new MappingError(`${where}: "onInvalid" must map optional properties to "null"`);
    }
  }
  if (value.geometry !== undefined) {
    const g = value.geometry;
    const okShape = isRecord(g) && ['lat,lon', 'x,y', 'wkt'].includes(Object.keys(g).sort().join(','));
    if (!okShape || Object.values(g).some((v) => typeof v !== 'string')) throw new MappingError(`${where}: "geometry" must be {"lon","lat"}, {"x","y"} or {"wkt"} column names`);
  }
  for (const key of ['name', 'description', 'layer', 'delimiter', 'encoding', 'srs']) {
    if (value[key] !== undefined && typeof value[key] !== 'string') throw new MappingError(`${where}: "${key}" must be text`);
  }
  if (value.matchByName !== undefined && typeof value.matchByName !== 'boolean') throw new MappingError(`${where}: "matchByName" must be true or false`);
  return { ...(value as unknown as MappingProfile), name: typeof value.name === 'string' ? value.name : origin };
}

/** The default profile: properties matched to source fields by name, ignoring case. */
export const DEFAULT_PROFILE: MappingProfile = { name: 'default' };

/** Loads `--mapping`: a built-in profile name, or a path to a JSON profile. */
export function loadProfile(nameOrPath: string | undefined): MappingProfile {
  if (!nameOrPath || nameOrPath === 'default') return DEFAULT_PROFILE;
  const builtIn = `${PROFILES_DIR}${nameOrPath}.json`;
  const path = /^[a-z0-9-]+$/.test(nameOrPath) && existsSync(builtIn) ? builtIn : nameOrPath;
  if (!existsSync(path)) {
    throw new MappingError(`no mapping "${nameOrPath}": neither a built-in profile (${builtInProfiles().join(', ')}) nor a JSON file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MappingError(`mapping ${nameOrPath}: not valid JSON (${(error as Error).message})`);
  }
  return validateProfile(parsed, nameOrPath);
}

/** A column the import writes: the text id of addresses/parcels, or a non-computed property. */
export interface TargetColumn {
  name: string;
  type: PropertyType;
  required: boolean;
  /** Closed code list, if any. */
  codes?: ReadonlySet<string>;
}

/** The columns an import may fill for a layer, in description order. */
export function targetColumns(layer: LayerDef): TargetColumn[] {
  const columns: TargetColumn[] = layer.idType === 'text' ? [{ name: 'id', type: 'text', required: true }] : [];
  for (const p of layer.properties) {
    if (p.computed) continue;
    columns.push({ name: p.name, type: p.type, required: p.required ?? false, codes: p.values ? new Set(p.values.map((v) => v.value)) : undefined });
  }
  return columns;
}

/** Lower case, no accents, single spaces: how source values are compared with value maps. */
export function normaliseValue(raw: unknown): string {
  return String(raw).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim().replace(/\s+/g, ' ');
}

export type MappedRecord = { ok: true; values: unknown[] } | { ok: false; errors: string[] };

export interface CompiledMapping {
  columns: TargetColumn[];
  /** Maps one record's properties (feature `row` of the file) to column values (in `columns`
   *  order), or says what is wrong. */
  map(properties: Record<string, unknown>, row?: number): MappedRecord;
  /** How each column is filled, for the summary: "zone_code ← zs_code". */
  describe: string[];
  /** Source fields the mapping reads. */
  usedFields: Set<string>;
  warnings: string[];
  /** For properties whose bad values `onInvalid` stores empty: how many were, and the first reason. */
  nulledReport(): string[];
}

const TEMPLATE_FIELD = /\{([^{}]+)\}/g;

/**
 * Compiles a profile for one layer and one file's fields; fails on anything that cannot work.
 * `geometryFields` (CSV coordinate columns) are not reported as left out.
 */
export function compileMapping(profile: MappingProfile, layer: LayerDef, sourceFields: readonly string[], geometryFields: readonly string[] = []): CompiledMapping {
  if (profile.layer && profile.layer !== layer.id) {
    throw new MappingError(`mapping "${profile.name}" is for layer ${profile.layer}, not ${layer.id}`);
  }
  const columns = targetColumns(layer);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const fieldByLower = new Map(sourceFields.map((f) => [f.toLowerCase(), f]));
  const warnings: string[] = [];
  const usedFields = new Set<string>();
  const findField = (name: string) => fieldByLower.get(name.toLowerCase());

  const explicit = new Map<string, string>();
  for (const [source, property] of Object.entries(profile.fields ?? {})) {
    if (!byName.has(property)) throw new MappingError(`mapping "${profile.name}": "${source}" maps to "${property}", which is not an importable property of ${layer.id} (${[...byName.keys()].join(', ')})`);
    if (explicit.has(property)) throw new MappingError(`mapping "${profile.name}": both "${explicit.get(property)}" and "${source}" map to ${property}`);
    explicit.set(property, source);
  }
  for (const section of ['values', 'defaults', 'constants', 'parts', 'round', 'onInvalid', 'templates', 'separators'] as const) {
    for (const property of Object.keys(profile[section] ?? {})) {
      if (!byName.has(property)) throw new MappingError(`mapping "${profile.name}": ${section}.${property} is not an importable property of ${layer.id}`);
    }
  }
  for (const property of Object.keys(profile.round ?? {})) {
    if (!['integer', 'number'].includes(byName.get(property)!.type)) throw new MappingError(`mapping "${profile.name}": round.${property}: ${property} is not a number`);
  }
  for (const property of Object.keys(profile.onInvalid ?? {})) {
    if (byName.get(property)!.required) throw new MappingError(`mapping "${profile.name}": onInvalid.${property}: ${property} is required, so a bad value cannot be left empty`);
  }
  /** Per property, how many values `onInvalid` left empty, and the first case. */
  const nulled = new Map<string, { count: number; first: string }>();
  let currentRow = 0;

  const describe: string[] = [];
  const resolvers = columns.map((column) => {
    const fallback = profile.defaults?.[column.name];
    let read: (p: Record<string, unknown>) => unknown = () => undefined;
    const template = profile.templates?.[column.name];
    const source = explicit.get(column.name);
    const constant = profile.constants?.[column.name];
    const part = profile.parts?.[column.name];
    if (constant !== undefined) {
      read = () => constant;
      describe.push(`${column.name} = ${JSON.stringify(constant)}`);
    } else if (part) {
      const f = findField(part.field);
      if (!f) throw new MappingError(`mapping "${profile.name}": parts.${column.name} reads field ${part.field}, which is not in the file (fields: ${sourceFields.join(', ') || 'none'})`);
      usedFields.add(f);
      const end = part.length === undefined ? undefined : part.start + part.length;
      read = (p) => (isBlank(p[f]) ? null : String(p[f]).trim().slice(part.start, end));
      describe.push(`${column.name} ← ${f}[${part.start}${end === undefined ? '' : `:${end}`}]`);
    } else if (template) {
      const parts = [...template.matchAll(TEMPLATE_FIELD)].map((m) => m[1]!);
      const present = parts.map((p) => findField(p));
      const missing = parts.filter((_, i) => !present[i]);
      if (missing.length === parts.length) warnings.push(`${column.name}: none of the template's fields (${parts.join(', ')}) is in the file`);
      else if (missing.length > 0) warnings.push(`${column.name}: template fields not in the file: ${missing.join(', ')}`);
      present.forEach((f) => f && usedFields.add(f));
      read = (p) => {
        const text = template
          .replace(TEMPLATE_FIELD, (_, name: string) => {
            const f = findField(name);
            const v = f ? p[f] : undefined;
            return isBlank(v) ? '' : String(v).trim();
          })
          .replace(/\s+/g, ' ')
          .replace(/^[\s,;-]+|[\s,;-]+$/g, '');
        return text === '' ? null : text;
      };
      describe.push(`${column.name} ← "${template}"`);
    } else if (source) {
      const f = findField(source);
      if (f) {
        usedFields.add(f);
        read = (p) => p[f];
        describe.push(`${column.name} ← ${f}`);
      } else {
        warnings.push(`${column.name}: source field ${source} is not in the file`);
      }
    } else if (profile.matchByName !== false) {
      const f = findField(column.name);
      if (f && !usedFields.has(f)) {
        usedFields.add(f);
        read = (p) => p[f];
        describe.push(`${column.name} ← ${f}`);
      }
    }
    if (fallback !== undefined) describe.push(`${column.name} = ${JSON.stringify(fallback)} by default`);
    const filled = constant !== undefined || describe.some((d) => d.startsWith(`${column.name} ←`));
    if (column.required && fallback === undefined && !filled) {
      throw new MappingError(`no source field for the required property ${column.name} of ${layer.id}: map one in a mapping profile (file fields: ${sourceFields.join(', ') || 'none'})`);
    }
    const valueMap = profile.values?.[column.name];
    const normalisedMap = valueMap
      ? new Map(Object.entries(valueMap).filter(([k]) => k !== OTHER_VALUES).map(([k, v]) => [normaliseValue(k), v]))
      : undefined;
    const otherValue = valueMap && Object.hasOwn(valueMap, OTHER_VALUES) ? { value: valueMap[OTHER_VALUES] } : null;
    const decimals = profile.round?.[column.name];
    const scale = decimals === undefined ? 1 : 10 ** decimals;
    const nullInvalid = profile.onInvalid?.[column.name] === 'null';
    const codeByNormalised = column.codes ? new Map([...column.codes].map((c) => [normaliseValue(c), c])) : undefined;
    const expected = column.codes ? [...(valueMap ? Object.keys(valueMap) : []), ...column.codes].join(', ') : '';
    const separator = profile.separators?.[column.name];
    const lookups = new Map<unknown, { value: unknown } | null>();

    // With onInvalid "null", a bad value is stored empty (in `out[i]`) and counted; otherwise it
    // rejects the row. Made once per column, not per value: tsx names every function it creates
    // (a property write each), which on a million rows cost seconds.
    const invalid = (reason: string, out: unknown[], i: number): string | undefined => {
      if (!nullInvalid) return `${column.name}: ${reason}`;
      const seen = nulled.get(column.name);
      if (seen) seen.count++;
      else nulled.set(column.name, { count: 1, first: `row ${currentRow}: ${reason}` });
      out[i] = null;
      return undefined;
    };

    // Writes the column's value into `out[i]`; returns why the row cannot be loaded, if it cannot.
    return (p: Record<string, unknown>, out: unknown[], i: number): string | undefined => {
      let raw = read(p);
      if (isBlank(raw)) raw = fallback;
      if (!isBlank(raw) && (normalisedMap || codeByNormalised)) {
        // Code values repeat endlessly: each distinct source value is looked up once.
        let found = lookups.get(raw);
        if (found === undefined) {
          const key = normaliseValue(raw);
          found = normalisedMap?.has(key)
            ? { value: normalisedMap.get(key) }
            : codeByNormalised?.has(key) ? { value: codeByNormalised.get(key) } : otherValue;
          if (lookups.size < 10_000) lookups.set(raw, found);
        }
        if (found) raw = found.value;
        else if (codeByNormalised) return invalid(`"${String(raw)}" is not in its code list (${expected})`, out, i);
      }
      if (decimals !== undefined && !isBlank(raw)) {
        const n = coerceValue(raw, 'number');
        if (n instanceof Invalid) return invalid(n.reason, out, i);
        // Rounded half away from zero, as a person would (and as PostgreSQL's round() does).
        raw = (Math.sign(n as number) * Math.round(Math.abs(n as number) * scale)) / scale;
      }
      const value = coerceValue(raw, column.type, separator);
      if (value instanceof Invalid) return invalid(value.reason, out, i);
      if (value === null && column.required) return `${column.name} is required but empty`;
      out[i] = value;
      return undefined;
    };
  });

  const unused = sourceFields.filter((f) => !usedFields.has(f) && !geometryFields.includes(f));
  if (unused.length > 0) warnings.push(`source fields not imported: ${unused.join(', ')}`);

  return {
    columns,
    describe,
    usedFields,
    warnings,
    nulledReport: () =>
      [...nulled].map(([name, n]) => `${name}: ${n.count} value${n.count > 1 ? 's' : ''} could not be converted and ${n.count > 1 ? 'were' : 'was'} left empty (first: ${n.first})`),
    map(properties, row = 0) {
      currentRow = row;
      const values = new Array<unknown>(resolvers.length);
      let errors: string[] | undefined;
      for (let i = 0; i < resolvers.length; i++) {
        const error = resolvers[i]!(properties, values, i);
        if (error) (errors ??= []).push(error);
      }
      return errors ? { ok: false, errors } : { ok: true, values };
    },
  };
}
