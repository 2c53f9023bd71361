// Staff edits of business zones: create, change and delete, with the zone rules (valid geometry
// inside the territory, a unique code, its lots left inside it, no deletion while it has lots).
import type { Database, Queryable } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { ClientError, notFound, unprocessable } from '../http/errors.ts';
import { parseSurface } from '../edits/edit-geometry.ts';
import { GEOMETRY_PARAM } from '../edits/feature-sql.ts';
import { checkRequiredFields, parseFieldValues } from '../edits/field-values.ts';
import {
  auditFeatureChange, checkPreconditions, insertFeature, readFeature, writeChanges, type EditPreconditions, type StoredFeature,
} from '../edits/feature-store.ts';
import { LOT_OUTSIDE_TOLERANCE_M2 } from '../../core/lots/lot-rules.ts';

/** Area (m²) of a zone that may lie outside the territory: the communes' outlines are generalised. */
const OUTSIDE_TERRITORY_TOLERANCE_M2 = 100;

/**
 * $1 geometry, $2 zone id (null for a new zone), $3 / $4 tolerances → why the geometry cannot be
 * the zone's: `invalid` (with the reason), `outside_territory`, or `lots_outside` (their numbers).
 */
const ZONE_PROBLEMS_SQL = `
  WITH g AS (SELECT ${GEOMETRY_PARAM(1)} AS geom)
  SELECT CASE WHEN NOT ST_IsValid(g.geom) THEN 'invalid: ' || ST_IsValidReason(g.geom) END AS invalid,
         CASE WHEN ST_IsValid(g.geom) THEN
           ST_Area(ST_Difference(g.geom, (SELECT ST_Union(geom) FROM communes))::geography) > $3 END AS outside_territory,
         CASE WHEN ST_IsValid(g.geom) THEN
           (SELECT array_agg(l.lot_number ORDER BY l.id) FROM zone_lots l
             WHERE l.zone_id = $2 AND NOT ST_CoveredBy(l.geom, g.geom)
               AND ST_Area(ST_Difference(l.geom, g.geom)::geography) > $4) END AS lots_outside
    FROM g`;

async function checkZoneGeometry(tx: Queryable, geometry: unknown, zoneId: number | null): Promise<void> {
  const { rows } = await tx.query<{ invalid: string | null; outside_territory: boolean | null; lots_outside: string[] | null }>(
    ZONE_PROBLEMS_SQL, [JSON.stringify(geometry), zoneId, OUTSIDE_TERRITORY_TOLERANCE_M2, LOT_OUTSIDE_TOLERANCE_M2],
  );
  const r = rows[0]!;
  if (r.invalid) throw new ClientError(422, 'UnprocessableEntity', `géométrie invalide / invalid geometry: ${r.invalid.slice(9)}`, { field: 'geometry', rule: 'invalid' });
  if (r.outside_territory) {
    throw new ClientError(422, 'UnprocessableEntity', 'la zone sort du territoire de la communauté / the zone extends outside the territory', { field: 'geometry', rule: 'outside_territory' });
  }
  if (r.lots_outside?.length) {
    throw new ClientError(422, 'UnprocessableEntity', `des lots sortiraient de la zone : ${r.lots_outside.join(', ')} / lots would lie outside the zone`,
      { field: 'geometry', rule: 'lots_outside', lots: r.lots_outside });
  }
}

async function checkCodeFree(tx: Queryable, code: string, except: number | null): Promise<void> {
  const { rowCount } = await tx.query('SELECT 1 FROM business_zones WHERE code = $1 AND id IS DISTINCT FROM $2', [code, except]);
  if (rowCount) throw unprocessable('code', `le code ${code} est déjà pris / code ${code} is already used`);
}

/** Creates a zone from a GeoJSON Feature. */
export async function createZone(db: Database, zones: LayerDef, userId: number, feature: unknown): Promise<StoredFeature> {
  if (typeof feature !== 'object' || feature === null || (feature as { type?: unknown }).type !== 'Feature') {
    throw unprocessable('type', 'une Feature GeoJSON est attendue / a GeoJSON Feature is expected');
  }
  const { geometry: rawGeometry, properties } = feature as { geometry?: unknown; properties?: unknown };
  const geometry = parseSurface(rawGeometry);
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) throw unprocessable('properties', 'properties doit être un objet / properties must be an object');
  const values = parseFieldValues(zones, properties as Record<string, unknown>);
  checkRequiredFields(zones, values);
  return db.transaction(async (tx) => {
    await checkCodeFree(tx, values.code as string, null);
    await checkZoneGeometry(tx, geometry, null);
    const id = await insertFeature(tx, zones, values, geometry);
    const created = (await readFeature(tx, zones, id, 'staff'))!;
    await auditFeatureChange(tx, zones, userId, 'zone_created', id, { after: created.feature, version: created.version });
    return created;
  });
}

/** Applies a flat object of fields (and optionally `geometry`) to a zone at the version named. */
export async function patchZone(db: Database, zones: LayerDef, userId: number, id: number, pre: EditPreconditions, body: Record<string, unknown>): Promise<StoredFeature> {
  const values = parseFieldValues(zones, body, ['version', 'geometry']);
  const geometry = body.geometry === undefined ? undefined : parseSurface(body.geometry);
  return db.transaction(async (tx) => {
    // The row lock (FOR UPDATE) is the one lot writes take first (lockZone): no lot of this zone
    // moves while its new outline is checked against them.
    const current = await readFeature(tx, zones, id, 'staff', true);
    if (!current) throw notFound(`zone introuvable / no business zone ${id}`);
    checkPreconditions(current, pre);
    return writeChanges(tx, zones, {
      userId, action: 'zone_updated', current, values, geometry,
      async check(write) {
        if ('code' in write) await checkCodeFree(tx, write.code as string, id);
        if (geometry) await checkZoneGeometry(tx, geometry, id);
      },
    });
  });
}

/** Deletes a zone without lots (a zone's lots go first, each one audited). */
export async function deleteZone(db: Database, zones: LayerDef, userId: number, id: number, pre: EditPreconditions): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await readFeature(tx, zones, id, 'staff', true);
    if (!current) throw notFound(`zone introuvable / no business zone ${id}`);
    checkPreconditions(current, pre);
    const { rows } = await tx.query<{ n: number }>('SELECT count(*) AS n FROM zone_lots WHERE zone_id = $1', [id]);
    if (rows[0]!.n > 0) throw new ClientError(409, 'Conflict', `la zone a encore ${rows[0]!.n} lot(s) : supprimez-les d’abord / the zone still has ${rows[0]!.n} lot(s): delete them first`);
    await tx.query('DELETE FROM business_zones WHERE id = $1 AND version = $2', [id, current.version]);
    await auditFeatureChange(tx, zones, userId, 'zone_deleted', id, { before: current.feature, version: current.version });
  });
}
