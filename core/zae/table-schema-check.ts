// A checker for the frictionless table schemas the CNIG ships, driven by the schema files: field names
// and order, missing values, required, the types and formats they use, code lists and patterns, the
// primary key. A type, format or constraint it does not know throws, so nothing is skipped silently.
import type { TableSchema, TableSchemaField } from './cnig-schemas.ts';

export interface CellError {
  /** 1-based data row (the header is row 0). */
  readonly row: number;
  readonly field: string;
  readonly message: string;
}

const KNOWN_CONSTRAINTS = new Set(['required', 'pattern', 'enum']);
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function validDate(value: string, format: string | undefined): boolean {
  if (format === '%Y') return /^\d{4}$/.test(value);
  if (format === undefined || format === 'default' || format === '%Y-%m-%d') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
    return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
  }
  throw new Error(`table schema: date format ${format} is not supported by this checker`);
}

function validGeoJson(value: string): boolean {
  try {
    const parsed = JSON.parse(value) as { type?: unknown; coordinates?: unknown };
    return typeof parsed === 'object' && parsed !== null && typeof parsed.type === 'string' && Array.isArray(parsed.coordinates);
  } catch {
    return false;
  }
}

/** The default geopoint format: "lon, lat". */
function validGeoPoint(value: string, format: string | undefined): boolean {
  if (format !== undefined && format !== 'default') throw new Error(`table schema: geopoint format ${format} is not supported by this checker`);
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length !== 2 || !parts.every((p) => NUMBER.test(p))) return false;
  const [lon, lat] = parts.map(Number) as [number, number];
  return Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
}

/** Why `value` (not a missing value) breaks the field's type, or undefined when it fits. */
function typeError(field: TableSchemaField, value: string): string | undefined {
  switch (field.type) {
    case 'string':
      return undefined;
    case 'number':
      return NUMBER.test(value) ? undefined : `"${value}" is not a number`;
    case 'integer':
      return INTEGER.test(value) ? undefined : `"${value}" is not an integer`;
    case 'date':
      return validDate(value, field.format) ? undefined : `"${value}" is not a date in format ${field.format ?? '%Y-%m-%d'}`;
    case 'geojson':
      return validGeoJson(value) ? undefined : 'not a GeoJSON geometry';
    case 'geopoint':
      return validGeoPoint(value, field.format) ? undefined : `"${value}" is not a point "lon, lat"`;
    default:
      throw new Error(`table schema: type ${field.type} (field ${field.name}) is not supported by this checker`);
  }
}

/** Every error of the table `header` + `rows` (cells as text) against `schema`; empty when valid. */
export function checkTable(schema: TableSchema, header: readonly string[], rows: readonly (readonly string[])[]): CellError[] {
  const errors: CellError[] = [];
  const names = schema.fields.map((f) => f.name);
  if (header.join('\u0000') !== names.join('\u0000')) {
    errors.push({ row: 0, field: '*', message: `header must be the schema's fields in order: ${names.join(';')}` });
    return errors;
  }
  const missing = new Set(schema.missingValues ?? ['']);
  const patterns = new Map<string, RegExp>();
  for (const field of schema.fields) {
    for (const key of Object.keys(field.constraints ?? {})) {
      if (!KNOWN_CONSTRAINTS.has(key)) throw new Error(`table schema: constraint ${key} (field ${field.name}) is not supported by this checker`);
    }
    // Table Schema patterns match the whole value.
    if (field.constraints?.pattern) patterns.set(field.name, new RegExp(`^(?:${field.constraints.pattern})$`, 'u'));
  }
  const keys = new Set<string>();
  rows.forEach((cells, index) => {
    const row = index + 1;
    if (cells.length !== names.length) {
      errors.push({ row, field: '*', message: `${cells.length} cells, the schema has ${names.length} fields` });
      return;
    }
    schema.fields.forEach((field, i) => {
      const value = cells[i]!;
      if (missing.has(value)) {
        if (field.constraints?.required) errors.push({ row, field: field.name, message: 'required value is missing' });
        return;
      }
      const wrongType = typeError(field, value);
      if (wrongType) errors.push({ row, field: field.name, message: wrongType });
      const list = field.enum ?? field.constraints?.enum;
      if (list && !list.includes(value)) errors.push({ row, field: field.name, message: `"${value}" is not in the code list` });
      const pattern = patterns.get(field.name);
      if (pattern && !pattern.test(value)) errors.push({ row, field: field.name, message: `"${value}" does not match ${field.constraints!.pattern}` });
    });
    if (schema.primaryKey) {
      const key = cells[names.indexOf(schema.primaryKey)]!;
      if (keys.has(key)) errors.push({ row, field: schema.primaryKey, message: `primary key "${key}" is repeated` });
      keys.add(key);
    }
  });
  return errors;
}
