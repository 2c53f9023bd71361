// Reads and writes of edited features, shared by zones and lots: a feature with its version, the
// precondition answers (412 stale If-Match, 409 stale body version, both with the current
// feature), and versioned writes recorded in the audit log with what changed, before and after.
import type { Feature } from 'geojson';
import type { Queryable } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ClientError } from '../http/errors.ts';
import { insertFeatureSql, selectFeatureSql, updateFeatureSql, type Audience } from './feature-sql.ts';
import { featureEtag } from './preconditions.ts';
import type { FieldValues } from './field-values.ts';

export interface StoredFeature {
  feature: Feature & { id: number; properties: Record<string, unknown> };
  version: number;
  etag: string;
}

/** One feature as `audience` sees it; `lock` holds the row until the transaction ends. */
export async function readFeature(db: Queryable, layer: LayerDef, id: number, audience: Audience, lock = false): Promise<StoredFeature | undefined> {
  const { rows } = await db.query<{ feature: string; version: number }>(selectFeatureSql(layer, audience, lock), [id]);
  const row = rows[0];
  if (!row) return undefined;
  return { feature: JSON.parse(row.feature) as StoredFeature['feature'], version: row.version, etag: featureEtag(layer.id, id, row.version, audience) };
}

/** What a versioned edit names: the version of If-Match, and the body's `version` if it has one. */
export interface EditPreconditions {
  ifMatch: number;
  bodyVersion?: number;
}

/** A failed precondition (412) or a stale body version (409), carrying the current feature. */
function staleError(status: 412 | 409, current: StoredFeature): ClientError {
  const [code, message] = status === 412
    ? ['PreconditionFailed', 'l’objet a changé depuis votre lecture (If-Match périmé) / the feature changed since you read it (stale If-Match)']
    : ['Conflict', 'l’objet a changé depuis votre lecture (version périmée) / the feature changed since you read it (stale version)'];
  return new ClientError(status, code, message, { etag: current.etag, current: current.feature });
}

/** Throws 412 / 409 when the stored feature is not at the version the request names. */
export function checkPreconditions(current: StoredFeature, pre: EditPreconditions): void {
  if (current.version !== pre.ifMatch) throw staleError(412, current);
  if (pre.bodyVersion !== undefined && current.version !== pre.bodyVersion) throw staleError(409, current);
}

/** The values of `fields` in a feature (the geometry as `geometry`), for an audit entry. */
function snapshot(feature: StoredFeature['feature'], fields: readonly string[], geometry: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = feature.properties[f] ?? null;
  if (geometry) out.geometry = feature.geometry;
  return out;
}

/** Inserts a feature; returns its id. */
export async function insertFeature(tx: Queryable, layer: LayerDef, values: FieldValues, geometry: unknown): Promise<number> {
  const columns = Object.keys(values);
  const { rows } = await tx.query<{ id: number }>(insertFeatureSql(layer, columns), [...columns.map((c) => values[c]), JSON.stringify(geometry)]);
  return rows[0]!.id;
}

/**
 * Writes `values` (and the geometry, when given) over the feature at version `version`; a 412
 * with the current feature when a concurrent change got there first.
 */
async function updateFeature(tx: Queryable, layer: LayerDef, id: number, version: number, values: FieldValues, geometry?: unknown): Promise<void> {
  const columns = Object.keys(values);
  const params = [id, version, ...columns.map((c) => values[c])];
  if (geometry !== undefined) params.push(JSON.stringify(geometry));
  const result = await tx.query(updateFeatureSql(layer, columns, geometry !== undefined), params);
  if (result.rowCount === 1) return;
  const current = await readFeature(tx, layer, id, 'staff');
  if (!current) throw new ClientError(404, 'NotFound', `objet supprimé entre-temps / feature ${id} was deleted meanwhile`);
  throw staleError(412, current);
}

/** The fields whose value `values` changes in `properties` (JSON equality). */
function changedFields(properties: Record<string, unknown>, values: FieldValues): string[] {
  return Object.keys(values).filter((k) => JSON.stringify(values[k]) !== JSON.stringify(properties[k] ?? null));
}

/** How an edit is applied by writeChanges. */
export interface ChangeWrite {
  userId: number;
  /** Audit action, e.g. `lot_updated`. */
  action: string;
  /** The feature as read (locked) in this transaction. */
  current: StoredFeature;
  values: FieldValues;
  geometry?: unknown;
  /** Rules to check on what will actually be written (only the fields that change). */
  check?: (write: FieldValues) => Promise<void>;
  /** More audit details (e.g. `undoes`). */
  details?: Record<string, unknown>;
}

/**
 * Writes the fields of `values` that differ from the current feature (and the geometry, when
 * given) at its version, and audits them before and after; returns the feature as it now is, the
 * current one untouched when nothing differs.
 */
export async function writeChanges(tx: Queryable, layer: LayerDef, change: ChangeWrite): Promise<StoredFeature> {
  const { current, values, geometry } = change;
  const id = current.feature.id;
  const fields = changedFields(current.feature.properties, values);
  if (fields.length === 0 && geometry === undefined) return current;
  const write = Object.fromEntries(fields.map((f) => [f, values[f]]));
  await change.check?.(write);
  await updateFeature(tx, layer, id, current.version, write, geometry);
  const after = (await readFeature(tx, layer, id, 'staff'))!;
  await auditFeatureChange(tx, layer, change.userId, change.action, id, {
    before: snapshot(current.feature, fields, geometry !== undefined),
    after: snapshot(after.feature, fields, geometry !== undefined),
    version: after.version,
    ...change.details,
  });
  return after;
}

/** Audits a change of one feature: `before` and `after` hold the changed fields (or whole features). */
export async function auditFeatureChange(
  tx: Queryable, layer: LayerDef, userId: number, action: string, id: number, details: Record<string, unknown>,
): Promise<number> {
  return recordAudit(tx, { userId, action, layer: layer.id, featureId: id, details });
}
