// Compares the layer descriptions with the database catalog (columns, geometries, GiST indexes, code-list
// CHECK constraints, change-signal triggers), so a drift between the migrations and the descriptions
// stops the server at start-up with each differing piece named, instead of surfacing as a broken tile later.
import type { Queryable } from '../db/database.ts';
import type { LayerDef } from './layer-def.ts';
import { GEOMETRY_COLUMN, TILE_GEOMETRY_COLUMN } from './layer-def.ts';
import { PROPERTY_TYPES } from './property-types.ts';

export class CatalogMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(`the database does not match the layer descriptions:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogMismatchError';
  }
}

/** A column as the catalog has it, with its type modifier (a geometry's type and SRID). */
interface ColumnRow { table_name: string; column_name: string; udt_name: string; is_nullable: 'YES' | 'NO'; typmod: number }

/** Geometry type numbers of a PostGIS type modifier, and the names postgis_typmod_type gives them. */
const TYPMOD_TYPES = [
  'Geometry', 'Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection',
  'CircularString', 'CompoundCurve', 'CurvePolygon', 'MultiCurve', 'MultiSurface', 'PolyhedralSurface', 'Triangle', 'Tin',
];

/**
 * A geometry column's type and SRID from its type modifier, as PostGIS's postgis_typmod_type and
 * postgis_typmod_srid read it (liblwgeom's TYPMOD_GET_* layout: SRID in bits 8-28, bit 28 its
 * sign; type number in bits 2-7; Z in bit 1, M in bit 0; -1 for an unconstrained column). Read
 * here rather than by calling them, which loads PostGIS into the connection's backend: 12 ms that
 * an import command otherwise pays before its first row, where its COPY hides it.
 */
export function geometryTypmod(typmod: number): { type: string; srid: number } {
  if (typmod < 0) return { type: 'Geometry', srid: 0 };
  const srid = ((typmod & 0x0fffff00) - (typmod & 0x10000000)) >> 8;
  const name = TYPMOD_TYPES[(typmod & 0xfc) >> 2] ?? 'Unknown';
  const dims = (typmod & 0x02 ? 'Z' : '') + (typmod & 0x01 ? 'M' : '');
  return { type: name + dims, srid };
}

interface IndexRow { tablename: string; indexdef: string }

/**
 * The rows of each query, all sent as one statement (each a JSON array): one round trip on one
 * connection, rather than queries that would each take a pooled connection (and open it, for the
 * import command) or queue behind each other on one, which pg deprecates. The queries share the parameters.
 */
async function selectEach<T extends unknown[]>(db: Queryable, queries: { [K in keyof T]: string }, params: unknown[]): Promise<{ [K in keyof T]: { rows: T[K][] } }> {
  const parts = (queries as string[]).map((q, i) => `(SELECT coalesce(json_agg(r), '[]') FROM (${q}) r) AS r${i}`);
  const { rows } = await db.query<Record<string, unknown[]>>(`SELECT ${parts.join(', ')}`, params);
  return (queries as string[]).map((_, i) => ({ rows: rows[0]![`r${i}`]! })) as { [K in keyof T]: { rows: T[K][] } };
}

/** Lists every difference between the descriptions and the catalog (empty when they agree). */
export async function findCatalogMismatches(db: Queryable, layers: readonly LayerDef[]): Promise<string[]> {
  const tables = layers.map((l) => l.id);
  // pg_catalog rather than information_schema.columns and geometry_columns, whose plans alone
  // took 20 ms of the import command's start-up. Columns as information_schema lists them (a
  // domain's base type), but whatever the role's privileges; a geometry's type and SRID from its
  // type modifier, as geometry_columns reads them, but with Z and M kept (geometry_columns drops Z:
  // a PointZ column passed for Point, though no 2D row can be written to it), for a domain over
  // geometry too, and with no fallback to CHECK constraints for an unconstrained column.
  const [columns, indexes, checks, triggers] = await selectEach<[ColumnRow, IndexRow, CheckRow, TriggerRow]>(db, [
    `SELECT c.relname AS table_name, a.attname AS column_name, coalesce(b.typname, t.typname) AS udt_name,
            CASE WHEN a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) THEN 'NO' ELSE 'YES' END AS is_nullable,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type b ON t.typtype = 'd' AND b.oid = t.typbasetype
      WHERE n.nspname = current_schema() AND c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'f')
        AND a.attnum > 0 AND NOT a.attisdropped`,
    `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1::text[])`,
    `SELECT c.relname AS table_name, a.attname AS column_name, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'c' AND cardinality(k.conkey) = 1 AND n.nspname = current_schema() AND c.relname = ANY($1::text[])`,
    // A disabled trigger (D), or one that fires only under replication (R), signals nothing.
    `SELECT c.relname AS table_name, t.tgtype
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND p.proname = $2::text
        AND n.nspname = current_schema() AND c.relname = ANY($1::text[])`,
    ], [tables, CHANGE_SIGNAL_FUNCTION]);
  const problems: string[] = [];
  for (const layer of layers) {
    const cols = new Map(columns.rows.filter((c) => c.table_name === layer.id).map((c) => [c.column_name, c]));
    if (cols.size === 0) {
      problems.push(`${layer.id}: table is missing`);
      continue;
    }
    const expected = new Map<string, { types: readonly string[]; required: boolean }>([
      ['id', { types: PROPERTY_TYPES[layer.idType].udtNames, required: true }],
      [GEOMETRY_COLUMN, { types: ['geometry'], required: true }],
      [TILE_GEOMETRY_COLUMN, { types: ['geometry'], required: false }],
      ['updated_at', { types: ['timestamptz'], required: true }],
    ]);
    if (layer.featureIdColumn === 'fid') expected.set('fid', { types: PROPERTY_TYPES.integer.udtNames, required: true });
    for (const p of layer.properties) expected.set(p.name, { types: PROPERTY_TYPES[p.type].udtNames, required: !!p.required });
    for (const [name, want] of expected) {
      const col = cols.get(name);
      if (!col) problems.push(`${layer.id}.${name}: ${isPrivate(layer, name) ? 'column of a private property' : 'column'} is missing — write a migration that adds it`);
      else if (!want.types.includes(col.udt_name)) {
        problems.push(`${layer.id}.${name}: column type ${col.udt_name}, description expects ${want.types.join(' or ')}`);
      } else if (want.required && col.is_nullable === 'YES') {
        problems.push(`${layer.id}.${name}: column is nullable, description says required`);
      }
    }
    for (const name of cols.keys()) {
      if (!expected.has(name)) problems.push(`${layer.id}.${name}: column is not in the layer description`);
    }
    for (const [column, srid] of [[GEOMETRY_COLUMN, layer.srid], [TILE_GEOMETRY_COLUMN, 3857]] as const) {
      const col = cols.get(column);
      if (col?.udt_name !== 'geometry') continue;
      const geometry = geometryTypmod(col.typmod);
      if (geometry.type.toUpperCase() !== layer.geometryType.toUpperCase() || geometry.srid !== srid) {
        problems.push(`${layer.id}.${column}: ${geometry.type}/${geometry.srid}, description expects ${layer.geometryType}/${srid}`);
      }
      const indexed = indexes.rows.some(
        (i) => i.tablename === layer.id && /USING gist/i.test(i.indexdef) && new RegExp(`\\(${column}\\)`).test(i.indexdef),
      );
      if (!indexed) problems.push(`${layer.id}.${column}: no GiST index`);
    }
  }
  const present = layers.filter((l) => columns.rows.some((c) => c.table_name === l.id));
  problems.push(...findConstraintMismatches(present, checks, triggers));
  return problems;
}

/** True for the column of a private (staff-only) property, which a missing-column problem names as such. */
function isPrivate(layer: LayerDef, name: string): boolean {
  return layer.properties.some((p) => p.name === name && !p.public);
}

// ---------------------------------------------------------------------------------------------
// Code lists against CHECK constraints, and the change-signal triggers.

/** The function migration 20261129_003 gives every layer table's statement triggers. */
export const CHANGE_SIGNAL_FUNCTION = 'websig_bump_layer_version';

interface CheckRow { table_name: string; column_name: string; definition: string }
interface TriggerRow { table_name: string; tgtype: number }

/** A text literal as PostgreSQL prints it, cast to text or varchar. */
const LITERAL = String.raw`'(?:[^']|'')*'::(?:text|character varying)`;
// What PostgreSQL 15 to 18 print for `CHECK (col IN (…))`: `col = ANY (ARRAY[…])` on text,
// `(col)::text = ANY ((ARRAY[…])::text[])` on varchar, and `col = '…'::text` for a single value.
const CODE_LIST_CHECK = new RegExp(
  String.raw`^CHECK \(\(\(?("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)\)?(?:::text)? = ` +
    String.raw`(?:ANY \(\(?ARRAY\[((?:${LITERAL}(?:, )?)+)\](?:\)::text\[\])?\)|(${LITERAL}))\)\)(?: NOT VALID)?$`,
);

/** The column and allowed values of a code-list CHECK as `pg_get_constraintdef` prints it; undefined
 *  for any other CHECK (a range, a pattern, several columns). */
export function parseCheckValues(definition: string): { column: string; values: string[] } | undefined {
  const match = CODE_LIST_CHECK.exec(definition);
  if (!match) return undefined;
  const [, quoted, list, single] = match;
  const column = quoted!.startsWith('"') ? quoted!.slice(1, -1).replace(/""/g, '"') : quoted!;
  const values = [...(list ?? single!).matchAll(/'((?:[^']|'')*)'::/g)].map((m) => m[1]!.replace(/''/g, "'"));
  return { column, values };
}

const quoteAll = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/** Differences between a property's code list and the code-list CHECKs found on its column. */
export function compareCodeList(
  table: string, column: string, described: readonly string[] | undefined, checks: readonly (readonly string[])[],
): string[] {
  const where = `${table}.${column}`;
  if (!described) {
    return checks.map((allowed) => `${where}: CHECK constraint restricts it to ${quoteAll(allowed)} but the description has no code list — ` +
      'describe the values, or write a migration that drops the CHECK constraint');
  }
  if (checks.length === 0) {
    return [`${where}: no CHECK constraint enforces its code list — write a migration that adds CHECK (${column} IN (${quoteAll(described)}))`];
  }
  return checks.flatMap((allowed) => {
    const extra = allowed.filter((v) => !described.includes(v));
    const refused = described.filter((v) => !allowed.includes(v));
    return [
      ...(extra.length ? [`${where}: CHECK constraint allows ${quoteAll(extra)} which the description lacks — write a migration that replaces the CHECK constraint`] : []),
      ...(refused.length ? [`${where}: description lists ${quoteAll(refused)} which the CHECK constraint refuses — write a migration that replaces the CHECK constraint`] : []),
    ];
  });
}

// pg_trigger.tgtype bits (PostgreSQL's include/catalog/pg_trigger.h): ROW, BEFORE and INSTEAD unset
// mean an AFTER … FOR EACH STATEMENT trigger.
const TRIGGER_ROW = 1 << 0;
const TRIGGER_BEFORE = 1 << 1;
const TRIGGER_INSTEAD = 1 << 6;
const TRIGGER_EVENTS = { INSERT: 1 << 2, DELETE: 1 << 3, UPDATE: 1 << 4, TRUNCATE: 1 << 5 } as const;
export type WriteEvent = keyof typeof TRIGGER_EVENTS;

/** The write events that none of a table's change-signal triggers (their `tgtype`) signals after the statement. */
export function unsignalledEvents(tgtypes: readonly number[]): WriteEvent[] {
  const statementAfter = tgtypes.filter((t) => (t & (TRIGGER_ROW | TRIGGER_BEFORE | TRIGGER_INSTEAD)) === 0);
  return (['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const).filter(
    (event) => !statementAfter.some((t) => (t & TRIGGER_EVENTS[event]) !== 0),
  );
}

/** The problem of a table whose writes in `missing` would not bump its layer version. */
export function changeSignalProblem(table: string, missing: readonly WriteEvent[]): string {
  const rowEvents = missing.filter((e) => e !== 'TRUNCATE');
  const triggers = [
    ...(rowEvents.length ? [`AFTER ${rowEvents.join(' OR ')}`] : []),
    ...(missing.includes('TRUNCATE') ? ['AFTER TRUNCATE'] : []),
  ];
  const which = missing.length === 4 ? '' : ` for ${missing.join(', ')}`;
  const what = triggers.length > 1 ? `${triggers.join(' and ')} statement triggers` : `an ${triggers[0]} statement trigger`;
  return `${table}: no change-signal trigger${which} — write a migration creating ${what} executing ${CHANGE_SIGNAL_FUNCTION}()`;
}

/** Code lists against the CHECK constraints, and the triggers that keep layer_versions current. */
function findConstraintMismatches(layers: readonly LayerDef[], checks: { rows: CheckRow[] }, triggers: { rows: TriggerRow[] }): string[] {
  const problems: string[] = [];
  for (const layer of layers) {
    const codeLists = new Map<string, string[][]>();
    for (const row of checks.rows.filter((r) => r.table_name === layer.id)) {
      const parsed = parseCheckValues(row.definition);
      if (parsed?.column === row.column_name) codeLists.set(row.column_name, [...(codeLists.get(row.column_name) ?? []), parsed.values]);
    }
    for (const p of layer.properties) {
      problems.push(...compareCodeList(layer.id, p.name, p.values?.map((v) => v.value), codeLists.get(p.name) ?? []));
    }
    const missing = unsignalledEvents(triggers.rows.filter((t) => t.table_name === layer.id).map((t) => t.tgtype));
    if (missing.length > 0) problems.push(changeSignalProblem(layer.id, missing));
  }
  return problems;
}

/** Throws CatalogMismatchError when the database and the descriptions disagree. */
export async function checkCatalog(db: Queryable, layers: readonly LayerDef[]): Promise<void> {
  const problems = await findCatalogMismatches(db, layers);
  if (problems.length > 0) throw new CatalogMismatchError(problems);
}
