// What each property type means, declared once: its SQL, tile, download, OGC API and import forms.
// Every consumer reads this table, so a new type is added here and nowhere else.
import type { PropertyType } from './layer-def.ts';
import { Invalid, isIsoDate, nulProblem, parseDate, parseNumber, parseYesNo, readIsoDateTime } from './property-values.ts';

/** SQLite column types GeoPackage allows for feature attributes. */
export type GpkgColumnType = 'TEXT' | 'INTEGER' | 'REAL' | 'DATE' | 'DATETIME' | 'BOOLEAN';

/** Separator of list items in CSV downloads (a mapping profile's `separators` reads them back). */
export const CSV_LIST_SEPARATOR = ';';

export interface PropertyTypeDef {
  /** PostgreSQL type of a column created for it (the import's staging table, its JSON records). */
  readonly sqlType: string;
  /** Catalog type names (`udt_name`) a layer's column may have at start-up and still hold it. */
  readonly udtNames: readonly string[];
  /** SQL condition that `column` holds the bound text parameter `param` (a list: contains it). */
  readonly equals: (column: string, param: string) => string;
  /** How a `datetime` filter reads a value: a whole UTC day or an instant; absent: not a date. */
  readonly temporal?: 'day' | 'instant';
  /** The column as a tile value: text, number or boolean, which both tile producers encode alike. */
  readonly tileValue: (column: string) => string;
  /** TileJSON field type, as tippecanoe writes it (GDAL and MapLibre tools read it as the type). */
  readonly tileField: 'String' | 'Number' | 'Boolean';
  /** The column as CSV download text, as a spreadsheet reads it. */
  readonly csvValue: (column: string) => string;
  /** GeoPackage attribute column type. */
  readonly gpkgType: GpkgColumnType;
  /** The column as GeoPackage stores a value of `gpkgType`. */
  readonly gpkgValue: (column: string) => string;
  /** JSON Schema of a value (OGC API queryables). */
  readonly jsonSchema: Readonly<Record<string, string>>;
  /** Whether an OGC equality filter value is one `equals` can cast without failing. */
  readonly acceptsFilter: (raw: string) => boolean;
  /** What `acceptsFilter` wants, for the 400 that refuses a value. */
  readonly filterExpected: string;
  /** A non-blank source value as the import stores it, or Invalid; `separator` splits lists. */
  readonly coerce: (raw: unknown, separator: string) => unknown;
  /** JavaScript type of what `coerce` returns, which decides how the import loader writes it. */
  readonly importedAs: 'string' | 'number' | 'boolean' | 'string[]';
}

/** A timestamptz column as UTC text in the to_char pattern `format`. */
const utc = (column: string, format: string) => `to_char(${column} AT TIME ZONE 'UTC', '${format}')`;
const isoDate = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;
const same = (column: string) => column;
const anything = () => true;
/** Text as a column takes it: PostgreSQL text cannot hold the NUL character (byte 0), which a
 *  COPY would otherwise refuse for the whole file instead of the row that carries it. */
const textValue = (text: string): string | Invalid => {
  const problem = nulProblem(text);
  return problem ? new Invalid(problem) : text;
};
// Filter values are bound as text and cast: up to 15 digits always fit bigint and numeric.
const INTEGER = /^-?[0-9]{1,15}$/;
const DECIMAL = /^-?[0-9]{1,15}(\.[0-9]{1,15})?$/;
/** Largest value of the staging table's `integer` column. */
const INT4_MAX = 2147483647;

export const PROPERTY_TYPES: Readonly<Record<PropertyType, PropertyTypeDef>> = {
  text: {
    sqlType: 'text',
    udtNames: ['text', 'varchar'],
    equals: (c, v) => `${c} = ${v}`,
    tileValue: same,
    tileField: 'String',
    csvValue: same,
    gpkgType: 'TEXT',
    gpkgValue: same,
    jsonSchema: { type: 'string' },
    acceptsFilter: anything,
    filterExpected: 'text',
    coerce: (raw) => textValue(typeof raw === 'object' ? JSON.stringify(raw) : String(raw).trim()),
    importedAs: 'string',
  },
  integer: {
    sqlType: 'integer',
    udtNames: ['int4', 'int8', 'int2'],
    equals: (c, v) => `${c} = ${v}::bigint`,
    tileValue: same,
    tileField: 'Number',
    csvValue: same,
    gpkgType: 'INTEGER',
    gpkgValue: same,
    jsonSchema: { type: 'integer' },
    acceptsFilter: (v) => INTEGER.test(v),
    filterExpected: 'an integer',
    coerce: (raw) => {
      const n = parseNumber(raw);
      if (n === undefined || !Number.isInteger(n)) return new Invalid(`"${String(raw)}" is not an integer`);
      return Math.abs(n) > INT4_MAX ? new Invalid(`${n} is out of the integer range`) : n;
    },
    importedAs: 'number',
  },
  number: {
    sqlType: 'numeric',
    udtNames: ['numeric', 'float8', 'float4'],
    equals: (c, v) => `${c} = ${v}::numeric`,
    // MVT has no decimal type: float8 is what both producers write as a double.
    tileValue: (c) => `${c}::float8`,
    tileField: 'Number',
    csvValue: same,
    gpkgType: 'REAL',
    gpkgValue: (c) => `${c}::float8`,
    jsonSchema: { type: 'number' },
    acceptsFilter: (v) => DECIMAL.test(v),
    filterExpected: 'a decimal number',
    coerce: (raw) => parseNumber(raw) ?? new Invalid(`"${String(raw)}" is not a number`),
    importedAs: 'number',
  },
  date: {
    sqlType: 'date',
    udtNames: ['date'],
    equals: (c, v) => `${c} = ${v}::date`,
    temporal: 'day',
    tileValue: isoDate,
    tileField: 'String',
    csvValue: isoDate,
    gpkgType: 'DATE',
    gpkgValue: isoDate,
    jsonSchema: { type: 'string', format: 'date' },
    acceptsFilter: isIsoDate,
    filterExpected: 'a date YYYY-MM-DD',
    coerce: (raw) => parseDate(raw) ?? new Invalid(`"${String(raw)}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`),
    importedAs: 'string',
  },
  datetime: {
    sqlType: 'timestamptz',
    udtNames: ['timestamptz'],
    equals: (c, v) => `${c} = ${v}::timestamptz`,
    temporal: 'instant',
    // In UTC whatever the session's time zone, so that tiles and files do not depend on it.
    tileValue: (c) => utc(c, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    tileField: 'String',
    csvValue: (c) => utc(c, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    gpkgType: 'DATETIME',
    // GeoPackage 1.2 requires the milliseconds.
    gpkgValue: (c) => utc(c, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    jsonSchema: { type: 'string', format: 'date-time' },
    acceptsFilter: (v) => readIsoDateTime(v) !== undefined,
    filterExpected: 'an RFC 3339 date-time',
    coerce: (raw) => {
      const s = raw instanceof Date ? raw.toISOString() : String(raw).trim();
      // Date itself would read 30 February as 1 March.
      const date = /^\d{4}-\d{2}-\d{2}/.test(s) && isIsoDate(s.slice(0, 10)) ? new Date(s) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date.toISOString() : new Invalid(`"${s}" is not an ISO 8601 date-time`);
    },
    importedAs: 'string',
  },
  boolean: {
    sqlType: 'boolean',
    udtNames: ['bool'],
    equals: (c, v) => `${c} = ${v}::boolean`,
    tileValue: same,
    tileField: 'Boolean',
    csvValue: (c) => `${c}::text`,
    gpkgType: 'BOOLEAN',
    gpkgValue: (c) => `${c}::int`,
    jsonSchema: { type: 'boolean' },
    acceptsFilter: (v) => v === 'true' || v === 'false',
    filterExpected: 'true or false',
    coerce: (raw) => parseYesNo(raw) ?? new Invalid(`"${String(raw)}" is not a yes/no value`),
    importedAs: 'boolean',
  },
  'text[]': {
    sqlType: 'text[]',
    udtNames: ['_text'],
    equals: (c, v) => `${v} = ANY(${c})`,
    // MVT values have no array type.
    tileValue: (c) => `array_to_string(${c}, ',')`,
    tileField: 'String',
    csvValue: (c) => `array_to_string(${c}, '${CSV_LIST_SEPARATOR}')`,
    gpkgType: 'TEXT',
    gpkgValue: (c) => `array_to_json(${c})::text`,
    jsonSchema: { type: 'string' },
    acceptsFilter: anything,
    filterExpected: 'text',
    coerce: (raw, separator) => {
      const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(separator);
      const kept = items.map((s) => s.trim()).filter((s) => s !== '');
      const refused = kept.map(textValue).find((v) => v instanceof Invalid);
      return refused ?? (kept.length > 0 ? kept : null);
    },
    importedAs: 'string[]',
  },
};
