// Compares the layer descriptions with the database catalog, so a drift between the migrations
// and the descriptions stops the server at start-up instead of surfacing as a broken tile later.
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

interface ColumnRow { table_name: string; column_name: string; udt_name: string; is_nullable: string }
interface GeometryRow { f_table_name: string; f_geometry_column: string; type: string; srid: number }
interface IndexRow { tablename: string; indexdef: string }

/** Lists every difference between the descriptions and the catalog (empty when they agree). */
export async function findCatalogMismatches(db: Queryable, layers: readonly LayerDef[]): Promise<string[]> {
  const tables = layers.map((l) => l.id);
  const [columns, geometries, indexes] = await Promise.all([
    db.query<ColumnRow & Record<string, unknown>>(
      `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY($1)`,
      [tables],
    ),
    db.query<GeometryRow & Record<string, unknown>>(
      `SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns
        WHERE f_table_schema = current_schema() AND f_table_name = ANY($1)`,
      [tables],
    ),
    db.query<IndexRow & Record<string, unknown>>(
      `SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1)`,
      [tables],
    ),
  ]);
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
      if (!col) problems.push(`${layer.id}.${name}: column is missing`);
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
      const geometry = geometries.rows.find((g) => g.f_table_name === layer.id && g.f_geometry_column === column);
      if (!geometry) continue;
      if (geometry.type.toUpperCase() !== layer.geometryType.toUpperCase() || geometry.srid !== srid) {
        problems.push(`${layer.id}.${column}: ${geometry.type}/${geometry.srid}, description expects ${layer.geometryType}/${srid}`);
      }
      const indexed = indexes.rows.some(
        (i) => i.tablename === layer.id && /USING gist/i.test(i.indexdef) && new RegExp(`\\(${column}\\)`).test(i.indexdef),
      );
      if (!indexed) problems.push(`${layer.id}.${column}: no GiST index`);
    }
  }
  return problems;
}

/** Throws CatalogMismatchError when the database and the descriptions disagree. */
export async function checkCatalog(db: Queryable, layers: readonly LayerDef[]): Promise<void> {
  const problems = await findCatalogMismatches(db, layers);
  if (problems.length > 0) throw new CatalogMismatchError(problems);
}
