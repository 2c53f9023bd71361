// Splitting a lot along a drawn line (ST_Split) and merging adjacent lots (ST_Union), in PostGIS:
// the new lots keep the fields of the lot they come from, their lineage (lot_lineage) and, between
// them, the area of what they replace.
import type { LineString } from 'geojson';
import type { Database, Queryable } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { ident } from '../../core/layers/layer-sql.ts';
import { ClientError, notFound, unprocessable } from '../http/errors.ts';
import { auditFeatureChange, checkPreconditions, readFeature, type EditPreconditions, type StoredFeature } from '../edits/feature-store.ts';

/** Smallest piece a split may leave (m², geodesic): a line grazing a corner is a slip, not a cut. */
export const MIN_PART_M2 = 1;
/** Most lots one merge may join. */
export const MAX_MERGED = 20;

/** Columns a new lot takes from the lot it comes from: every stored field but its number. */
const inheritedColumns = (lots: LayerDef) => lots.properties.filter((p) => !p.computed && p.name !== 'lot_number').map((p) => ident(p.name));

/** $1 lot id, $2 line (GeoJSON) → the pieces (`geometry` as GeoJSON text, `m2`), largest first. */
const SPLIT_SQL = `
  SELECT ST_AsGeoJSON(part.geom, 9) AS geometry, ST_Area(part.geom::geography) AS m2
    FROM zone_lots l,
         LATERAL ST_Dump(ST_CollectionExtract(ST_Split(l.geom, ST_SetSRID(ST_GeomFromGeoJSON($2::text), 4326)), 3)) AS part
   WHERE l.id = $1
   ORDER BY ST_Area(part.geom::geography) DESC, ST_XMin(part.geom), ST_YMin(part.geom)`;

/** The next free numbers `12a`, `12b`… for `count` pieces of lot `base` in its zone. */
async function pieceNumbers(tx: Queryable, zoneId: number, base: string, count: number): Promise<string[]> {
  const taken = new Set((await tx.query<{ lot_number: string }>('SELECT lot_number FROM zone_lots WHERE zone_id = $1', [zoneId])).rows.map((r) => r.lot_number));
  const numbers: string[] = [];
  for (let i = 0; numbers.length < count; i++) {
    // a…z, then aa, ab…: never short of names, and never one already used in the zone.
    const suffix = i < 26 ? String.fromCharCode(97 + i) : String.fromCharCode(97 + Math.floor(i / 26) - 1) + String.fromCharCode(97 + (i % 26));
    if (!taken.has(base + suffix)) numbers.push(base + suffix);
  }
  return numbers;
}

/** A lot's stored fields as jsonb text, read before it is deleted so that its successors can copy them. */
async function storedFields(tx: Queryable, id: number): Promise<string> {
  const { rows } = await tx.query<{ fields: string }>(`SELECT (to_jsonb(l) - 'geom' - 'geom_3857')::text AS fields FROM zone_lots l WHERE id = $1`, [id]);
  return rows[0]!.fields;
}

/** Inserts a lot with the fields of `fields` (from storedFields), a number and geometry (GeoJSON) of its own → id. */
async function insertFrom(tx: Queryable, lots: LayerDef, fields: string, lotNumber: string, geometry: string): Promise<number> {
  const columns = inheritedColumns(lots);
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO zone_lots (${columns.join(', ')}, lot_number, geom)
     SELECT ${columns.map((c) => `r.${c}`).join(', ')}, $2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326))
       FROM jsonb_populate_record(NULL::zone_lots, $1::jsonb) r RETURNING id`,
    [fields, lotNumber, geometry],
  );
  return rows[0]!.id;
}

async function recordLineage(tx: Queryable, children: readonly number[], parents: readonly number[], operation: 'split' | 'merge', auditId: number): Promise<void> {
  await tx.query(
    `INSERT INTO lot_lineage (lot_id, parent_id, operation, audit_id) SELECT c, p, $3, $4 FROM unnest($1::integer[]) c, unnest($2::integer[]) p`,
    [children, parents, operation, auditId],
  );
}

/** Splits a lot along a line crossing it; returns the new lots. */
export async function splitLot(db: Database, lots: LayerDef, userId: number, id: number, pre: Partial<EditPreconditions>, line: LineString): Promise<StoredFeature[]> {
  return db.transaction(async (tx) => {
    const current = await readFeature(tx, lots, id, 'staff', true);
    if (!current) throw notFound(`lot introuvable / no lot ${id}`);
    if (pre.ifMatch !== undefined) checkPreconditions(current, { ifMatch: pre.ifMatch, bodyVersion: pre.bodyVersion });
    else if (pre.bodyVersion !== undefined) checkPreconditions(current, { ifMatch: current.version, bodyVersion: pre.bodyVersion });
    const pieces = (await tx.query<{ geometry: string; m2: number }>(SPLIT_SQL, [id, JSON.stringify(line)])).rows;
    if (pieces.length < 2) throw unprocessable('geometry', 'la ligne doit traverser le lot de part en part / the line must cut right across the lot');
    if (pieces.some((p) => p.m2 < MIN_PART_M2)) {
      throw unprocessable('geometry', `la découpe laisse un morceau de moins de ${MIN_PART_M2} m² / the cut leaves a piece under ${MIN_PART_M2} m²`);
    }
    const props = current.feature.properties;
    const numbers = await pieceNumbers(tx, props.zone_id as number, props.lot_number as string, pieces.length);
    const fields = await storedFields(tx, id);
    await tx.query('DELETE FROM zone_lots WHERE id = $1', [id]);
    const children: number[] = [];
    for (const [i, piece] of pieces.entries()) children.push(await insertFrom(tx, lots, fields, numbers[i]!, piece.geometry));
    const created = await Promise.all(children.map(async (c) => (await readFeature(tx, lots, c, 'staff'))!));
    const auditId = await auditFeatureChange(tx, lots, userId, 'lot_split', id, {
      before: current.feature, version: current.version, children, line,
    });
    for (const child of created) {
      await auditFeatureChange(tx, lots, userId, 'lot_created', child.feature.id, { after: child.feature, version: child.version, parents: [id], operation: 'split' });
    }
    await recordLineage(tx, children, [id], 'split', auditId);
    return created;
  });
}

/** $1 = lot ids → their union as GeoJSON and how many polygons it makes. */
const UNION_SQL = `SELECT ST_AsGeoJSON(u.geom, 9) AS geometry, ST_NumGeometries(u.geom) AS parts
  FROM (SELECT ST_Multi(ST_UnaryUnion(ST_Collect(geom))) AS geom FROM zone_lots WHERE id = ANY ($1::integer[])) u`;

/**
 * Merges adjacent lots of one zone and status into one lot keeping the fields of the first listed
 * (and its number unless `lotNumber` is given). `versions`, when given, are the versions read.
 */
export async function mergeLots(
  db: Database, lots: LayerDef, userId: number, ids: readonly number[], versions: readonly number[] | undefined, lotNumber: string | undefined,
): Promise<StoredFeature> {
  return db.transaction(async (tx) => {
    // Locked in id order, so that two merges sharing lots cannot deadlock.
    const locked = (await tx.query<{ id: number }>('SELECT id FROM zone_lots WHERE id = ANY ($1::integer[]) ORDER BY id FOR UPDATE', [ids])).rows;
    const missing = ids.filter((i) => !locked.some((r) => r.id === i));
    if (missing.length) throw notFound(`lot(s) introuvable(s) / no lot(s) ${missing.join(', ')}`);
    const parents = await Promise.all(ids.map(async (i) => (await readFeature(tx, lots, i, 'staff'))!));
    versions?.forEach((v, i) => {
      if (parents[i]!.version !== v) throw new ClientError(409, 'Conflict', `le lot ${ids[i]} a changé depuis votre lecture / lot ${ids[i]} changed since you read it`, { field: 'versions', current: parents[i]!.feature });
    });
    const first = parents[0]!.feature.properties;
    for (const key of ['zone_id', 'status'] as const) {
      if (parents.some((p) => p.feature.properties[key] !== first[key])) {
        throw unprocessable('ids', key === 'zone_id'
          ? 'les lots doivent être de la même zone / the lots must be in the same zone'
          : 'les lots doivent avoir le même statut / the lots must have the same status');
      }
    }
    const union = (await tx.query<{ geometry: string; parts: number }>(UNION_SQL, [ids])).rows[0]!;
    if (union.parts !== 1) throw unprocessable('ids', 'les lots doivent se toucher par un côté / the lots must share an edge');
    const number = lotNumber ?? (first.lot_number as string);
    const fields = await storedFields(tx, ids[0]!);
    await tx.query('DELETE FROM zone_lots WHERE id = ANY ($1::integer[])', [ids]);
    const taken = await tx.query('SELECT 1 FROM zone_lots WHERE zone_id = $1 AND lot_number = $2', [first.zone_id, number]);
    if (taken.rowCount) throw unprocessable('lot_number', `le lot ${number} existe déjà dans cette zone / lot ${number} already exists in this zone`);
    const childId = await insertFrom(tx, lots, fields, number, union.geometry);
    const child = (await readFeature(tx, lots, childId, 'staff'))!;
    let auditId = 0;
    for (const parent of parents) {
      auditId = await auditFeatureChange(tx, lots, userId, 'lots_merged', parent.feature.id, { before: parent.feature, version: parent.version, into: childId });
    }
    await auditFeatureChange(tx, lots, userId, 'lot_created', childId, { after: child.feature, version: child.version, parents: ids, operation: 'merge' });
    await recordLineage(tx, [childId], ids, 'merge', auditId);
    return child;
  });
}

/** Where a lot comes from and what it became: parents and children with the operation. */
export async function readLineage(db: Queryable, id: number) {
  const { rows } = await db.query<{ lot_id: number; parent_id: number; operation: string; at: string }>(
    `SELECT lot_id, parent_id, operation, to_json(at)#>>'{}' AS at FROM lot_lineage WHERE lot_id = $1 OR parent_id = $1 ORDER BY at, lot_id, parent_id`,
    [id],
  );
  return {
    parents: rows.filter((r) => r.lot_id === id).map((r) => ({ id: r.parent_id, operation: r.operation, at: r.at })),
    children: rows.filter((r) => r.parent_id === id).map((r) => ({ id: r.lot_id, operation: r.operation, at: r.at })),
  };
}
