// Staff edits of one lot: create, change, delete and undo, each in one transaction that checks
// the preconditions and the lot rules on the locked row, writes, and records the audit entry.
import type { Database, Queryable } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { ClientError, notFound, unprocessable } from '../http/errors.ts';
import { parseSurface } from '../edits/edit-geometry.ts';
import { checkRequiredFields, parseFieldValues } from '../edits/field-values.ts';
import {
  auditFeatureChange, checkPreconditions, insertFeature, readFeature, writeChanges, type EditPreconditions, type StoredFeature,
} from '../edits/feature-store.ts';
import { checkLotGeometry } from './lot-geometry.ts';
import { applyLotRules, parisToday, type LotRuleFields } from '../../core/lots/lot-rules.ts';

/** Today in the authority's time zone (YYYY-MM-DD): terms are French calendar dates. */

/** Members of a lot edit that are not layer properties. */
const EDIT_MEMBERS = ['version', 'geometry'];

async function checkLotNumberFree(tx: Queryable, zoneId: number, lotNumber: string, except?: number): Promise<void> {
  const { rowCount } = await tx.query('SELECT 1 FROM zone_lots WHERE zone_id = $1 AND lot_number = $2 AND id IS DISTINCT FROM $3', [zoneId, lotNumber, except ?? null]);
  if (rowCount) throw unprocessable('lot_number', `le lot ${lotNumber} existe déjà dans cette zone / lot ${lotNumber} already exists in this zone`);
}

/**
 * Locks the zone row until the transaction ends; 404 when it does not exist. Every write that
 * changes where a lot lies, or the zone's outline, takes this lock first (zone before lots,
 * ids ascending), so that the geometry rules, checked against the zone and its other lots, see
 * no concurrent change: FOR UPDATE, since FOR SHARE would let two writers in at once.
 */
export async function lockZone(tx: Queryable, zoneId: number): Promise<void> {
  const { rowCount } = await tx.query('SELECT 1 FROM business_zones WHERE id = $1 FOR UPDATE', [zoneId]);
  if (!rowCount) throw notFound(`zone introuvable / no business zone ${zoneId}`);
}

/**
 * Locks the zone(s) of lots `ids` (ascending) before the lots themselves are read and locked: a
 * lot never changes zone, so its zone read unlocked is the one it has once locked.
 */
export async function lockZonesOfLots(tx: Queryable, ids: readonly number[]): Promise<void> {
  const { rows } = await tx.query<{ zone_id: number }>('SELECT DISTINCT zone_id FROM zone_lots WHERE id = ANY ($1::integer[]) ORDER BY zone_id', [ids]);
  for (const r of rows) await lockZone(tx, r.zone_id);
}

/** Creates a lot in a zone from a GeoJSON Feature; status defaults to available. */
export async function createLot(db: Database, lots: LayerDef, userId: number, zoneId: number, feature: unknown): Promise<StoredFeature> {
  if (typeof feature !== 'object' || feature === null || (feature as { type?: unknown }).type !== 'Feature') {
    throw unprocessable('type', 'une Feature GeoJSON est attendue / a GeoJSON Feature is expected');
  }
  const { geometry: rawGeometry, properties } = feature as { geometry?: unknown; properties?: unknown };
  const geometry = parseSurface(rawGeometry);
  if (properties !== null && properties !== undefined && (typeof properties !== 'object' || Array.isArray(properties))) {
    throw unprocessable('properties', 'properties doit être un objet / properties must be an object');
  }
  const given = { ...(properties as Record<string, unknown> | undefined) };
  if (given.zone_id !== undefined && given.zone_id !== zoneId) throw unprocessable('zone_id', 'zone_id est celui du chemin / zone_id is the one in the path');
  const values = { status: 'available', ...parseFieldValues(lots, given, ['zone_id']), zone_id: zoneId };
  checkRequiredFields(lots, values);
  const stored = applyLotRules(undefined, values, parisToday());
  return db.transaction(async (tx) => {
    await lockZone(tx, zoneId);
    await checkLotNumberFree(tx, zoneId, stored.lot_number as string);
    await checkLotGeometry(tx, geometry, zoneId, []);
    const id = await insertFeature(tx, lots, stored, geometry);
    const created = (await readFeature(tx, lots, id, 'staff'))!;
    await auditFeatureChange(tx, lots, userId, 'lot_created', id, { after: created.feature, version: created.version });
    return created;
  });
}

/** Applies a flat object of fields (and optionally `geometry`) to a lot at the version the request names. */
export async function patchLot(db: Database, lots: LayerDef, userId: number, id: number, pre: EditPreconditions, body: Record<string, unknown>): Promise<StoredFeature> {
  const values = parseFieldValues(lots, body, EDIT_MEMBERS);
  const geometry = body.geometry === undefined ? undefined : parseSurface(body.geometry);
  return db.transaction(async (tx) => {
    await lockZonesOfLots(tx, [id]);
    const current = await readFeature(tx, lots, id, 'staff', true);
    if (!current) throw notFound(`lot introuvable / no lot ${id}`);
    checkPreconditions(current, pre);
    const properties = current.feature.properties;
    if ('zone_id' in values && values.zone_id !== properties.zone_id) {
      throw unprocessable('zone_id', 'un lot ne change pas de zone : supprimez-le et recréez-le / a lot cannot move to another zone');
    }
    const changes = applyLotRules(properties as unknown as LotRuleFields, values, parisToday());
    return writeChanges(tx, lots, {
      userId, action: 'lot_updated', current, values: changes, geometry,
      async check(write) {
        if ('lot_number' in write) await checkLotNumberFree(tx, properties.zone_id as number, write.lot_number as string, id);
        if (geometry) await checkLotGeometry(tx, geometry, properties.zone_id as number, [id]);
      },
    });
  });
}

/** Deletes a lot at the version the request names. */
export async function deleteLot(db: Database, lots: LayerDef, userId: number, id: number, pre: EditPreconditions): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await readFeature(tx, lots, id, 'staff', true);
    if (!current) throw notFound(`lot introuvable / no lot ${id}`);
    checkPreconditions(current, pre);
    await tx.query('DELETE FROM zone_lots WHERE id = $1 AND version = $2', [id, current.version]);
    await auditFeatureChange(tx, lots, userId, 'lot_deleted', id, { before: current.feature, version: current.version });
  });
}

type LastChange = { id: number; user_id: number | null; action: string; details: { before?: Record<string, unknown>; version?: number } | null };

/**
 * Undoes the person's own last edit of a lot, as a new audited edit restoring the fields (and
 * geometry) as they were. 409 when the lot's last change is someone else's, or not an edit. The
 * workflow is not checked (undoing a mistaken "sold" must be possible); the geometry rules are.
 */
export async function undoLastEdit(db: Database, lots: LayerDef, userId: number, id: number): Promise<StoredFeature> {
  return db.transaction(async (tx) => {
    await lockZonesOfLots(tx, [id]);
    const current = await readFeature(tx, lots, id, 'staff', true);
    if (!current) throw notFound(`lot introuvable / no lot ${id}`);
    const { rows } = await tx.query<LastChange>(
      `SELECT id, user_id, action, details FROM audit_log WHERE layer = $1 AND feature_id = $2 ORDER BY id DESC LIMIT 1`,
      [lots.id, String(id)],
    );
    const last = rows[0];
    if (!last || last.user_id !== userId) {
      throw new ClientError(409, 'Conflict', 'rien à annuler : la dernière modification du lot n’est pas la vôtre / nothing to undo: the lot’s last change is not yours', { current: current.feature });
    }
    if (last.action !== 'lot_updated' || !last.details?.before || last.details.version !== current.version) {
      throw new ClientError(409, 'Conflict', `la dernière modification (${last.action}) ne peut pas être annulée / the last change (${last.action}) cannot be undone`, { current: current.feature });
    }
    const { geometry, ...fields } = last.details.before;
    return writeChanges(tx, lots, {
      userId, action: 'lot_updated', current, values: fields, geometry, details: { undoes: last.id },
      check: async (write) => {
        // The number may have been given to another lot since.
        if ('lot_number' in write) await checkLotNumberFree(tx, current.feature.properties.zone_id as number, write.lot_number as string, id);
        if (geometry !== undefined) await checkLotGeometry(tx, geometry, current.feature.properties.zone_id as number, [id]);
      },
    });
  });
}
