// Incident reports in the database: the public view of a report (never a reporter's details), the
// staff view, the workflow's writes (each audited in its own transaction), the people to tell of a
// change, and one person's data found, exported or erased by e-mail address.
import type { Queryable } from '../../core/db/database.ts';
import { CLOSED_STATUSES, canMove, type IncidentStatus } from '../../core/incidents/incident-workflow.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { ClientError, notFound } from '../http/errors.ts';
import type { ReportInput } from './incident-input.ts';
import type { ProcessedPhoto } from './incident-photos.ts';

const LAYER = 'incidents';

/** What anyone may read of a report. */
export interface PublicIncident {
  id: number;
  service_code: string;
  description: string;
  status: IncidentStatus;
  status_notes: string | null;
  requested_datetime: Date;
  updated_datetime: Date | null;
  address_string: string | null;
  media_url: string | null;
  duplicate_of: number | null;
  published: boolean;
  lon: number;
  lat: number;
  photo_keys: string[];
}

/** What staff read of a report: the public part, the reporter's details and the bookkeeping. */
export interface StaffIncident extends PublicIncident {
  reporter_name: string | null;
  reporter_email: string | null;
  reporter_phone: string | null;
  followers: number;
  closed_at: Date | null;
  tracking_token: string;
}

const PUBLIC_COLUMNS = `i.id, i.service_code, i.description, i.status, i.status_notes, i.requested_datetime,
  i.updated_datetime, i.address_string, i.media_url, i.duplicate_of, i.published,
  ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
  coalesce((SELECT json_agg(p.key ORDER BY p.position) FROM incident_photos p WHERE p.incident_id = i.id), '[]'::json) AS photo_keys`;

const STAFF_COLUMNS = `${PUBLIC_COLUMNS}, i.reporter_name, i.reporter_email, i.reporter_phone, i.closed_at, i.tracking_token,
  (SELECT count(*)::int FROM incident_followers f WHERE f.incident_id = i.id) AS followers`;

/** Stores a new report with its photos; returns its id and tracking token. */
export async function insertReport(
  tx: Queryable, input: ReportInput, photos: readonly ProcessedPhoto[], published: boolean,
): Promise<{ id: number; token: string }> {
  const { rows } = await tx.query<{ id: number; tracking_token: string }>(
    `INSERT INTO incidents (service_code, description, status, address_string, reporter_name, reporter_email,
        reporter_phone, published, media_url, geom)
     VALUES ($1, $2, 'new', $3, $4, $5, $6, $7, $8, ST_SetSRID(ST_MakePoint($9, $10), 4326))
     RETURNING id, tracking_token`,
    [input.serviceCode, input.description, input.addressString, input.name, input.email, input.phone, published,
      photos[0] ? `/api/incidents/photos/${photos[0].key}.jpg` : null, input.lon, input.lat],
  );
  const { id, tracking_token: token } = rows[0]!;
  for (const [index, photo] of photos.entries()) {
    await tx.query(
      'INSERT INTO incident_photos (incident_id, key, position, width, height, bytes) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, photo.key, index + 1, photo.width, photo.height, photo.photo.length],
    );
  }
  await recordAudit(tx, { userId: null, action: 'incident_reported', layer: LAYER, featureId: id, details: { after: { service_code: input.serviceCode, published, photos: photos.length } } });
  return { id, token };
}

/** Whether the point lies in one of the territory's communes. */
export async function insideTerritory(db: Queryable, lon: number, lat: number): Promise<boolean> {
  const { rows } = await db.query<{ inside: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM communes WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))) AS inside',
    [lon, lat], 'incident_inside_territory',
  );
  return rows[0]!.inside;
}

/** A report by its tracking token, published or not. */
export async function readByToken(db: Queryable, token: string): Promise<PublicIncident | undefined> {
  if (!/^[0-9a-f]{32}$/.test(token)) return undefined;
  const { rows } = await db.query<PublicIncident & Record<string, unknown>>(`SELECT ${PUBLIC_COLUMNS} FROM incidents i WHERE i.tracking_token = $1`, [token]);
  return rows[0];
}

/** Filters of the public list (Open311 GET requests). */
export interface PublicFilter {
  ids?: readonly number[];
  serviceCodes?: readonly string[];
  statuses?: readonly IncidentStatus[];
  start?: Date;
  end?: Date;
  /** Reports within `radiusM` metres of a point: the duplicate check before reporting. */
  near?: { lon: number; lat: number; radiusM: number };
  limit: number;
}

/** Published reports matching the filter, newest first. */
export async function listPublic(db: Queryable, filter: PublicFilter): Promise<PublicIncident[]> {
  const where = ['i.published'];
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  if (filter.ids) where.push(`i.id = ANY (${bind(filter.ids)}::int[])`);
  if (filter.serviceCodes) where.push(`i.service_code = ANY (${bind(filter.serviceCodes)}::text[])`);
  if (filter.statuses) where.push(`i.status = ANY (${bind(filter.statuses)}::text[])`);
  if (filter.start) where.push(`i.requested_datetime >= ${bind(filter.start)}`);
  if (filter.end) where.push(`i.requested_datetime <= ${bind(filter.end)}`);
  if (filter.near) {
    const point = `ST_SetSRID(ST_MakePoint(${bind(filter.near.lon)}, ${bind(filter.near.lat)}), 4326)`;
    // Geodesic distance in metres; ST_DWithin on geography can use no index here, which is fine
    // for the few hundred reports a territory has open.
    where.push(`ST_DWithin(i.geom::geography, ${point}::geography, ${bind(filter.near.radiusM)})`);
  }
  const { rows } = await db.query<PublicIncident & Record<string, unknown>>(
    `SELECT ${PUBLIC_COLUMNS} FROM incidents i WHERE ${where.join(' AND ')} ORDER BY i.requested_datetime DESC, i.id DESC LIMIT ${bind(filter.limit)}`,
    values,
  );
  return rows;
}

/** Filters of the staff list. */
export interface StaffFilter {
  statuses?: readonly IncidentStatus[];
  serviceCode?: string;
  published?: boolean;
  limit: number;
}

export async function listStaff(db: Queryable, filter: StaffFilter): Promise<StaffIncident[]> {
  const where = ['TRUE'];
  const values: unknown[] = [];
  const bind = (value: unknown) => `$${values.push(value)}`;
  if (filter.statuses) where.push(`i.status = ANY (${bind(filter.statuses)}::text[])`);
  if (filter.serviceCode) where.push(`i.service_code = ${bind(filter.serviceCode)}`);
  if (filter.published !== undefined) where.push(`i.published = ${bind(filter.published)}`);
  const { rows } = await db.query<StaffIncident & Record<string, unknown>>(
    `SELECT ${STAFF_COLUMNS} FROM incidents i WHERE ${where.join(' AND ')} ORDER BY i.requested_datetime DESC, i.id DESC LIMIT ${bind(filter.limit)}`,
    values,
  );
  return rows;
}

export async function readStaff(db: Queryable, id: number, lock = false): Promise<StaffIncident | undefined> {
  const { rows } = await db.query<StaffIncident & Record<string, unknown>>(
    `SELECT ${STAFF_COLUMNS} FROM incidents i WHERE i.id = $1${lock ? ' FOR UPDATE OF i' : ''}`, [id]);
  return rows[0];
}

async function lockReport(tx: Queryable, id: number): Promise<StaffIncident> {
  const report = await readStaff(tx, id, true);
  if (!report) throw notFound(`signalement introuvable / no incident report ${id}`);
  return report;
}

export interface StatusChange {
  status: IncidentStatus;
  /** The public answer; unchanged when undefined. */
  statusNotes?: string | null;
  /** The original report, required for `duplicate`. */
  duplicateOf?: number;
}

/** Moves a report along the workflow (422 for a move the workflow forbids); returns before and after. */
export async function changeStatus(tx: Queryable, userId: number, id: number, change: StatusChange): Promise<{ before: StaffIncident; after: StaffIncident }> {
  const before = await lockReport(tx, id);
  if (!canMove(before.status, change.status)) {
    throw new ClientError(422, 'UnprocessableEntity', `passage de « ${before.status} » à « ${change.status} » impossible / cannot move from "${before.status}" to "${change.status}"`, { field: 'status' });
  }
  let duplicateOf: number | null = null;
  if (change.status === 'duplicate') {
    if (change.duplicateOf === undefined || change.duplicateOf === id) {
      throw new ClientError(422, 'UnprocessableEntity', 'duplicate_of : le signalement d’origine est requis / the original report is required', { field: 'duplicate_of' });
    }
    const original = await readStaff(tx, change.duplicateOf);
    if (!original || original.status === 'duplicate') {
      throw new ClientError(422, 'UnprocessableEntity', 'duplicate_of : signalement d’origine introuvable ou lui-même doublon / original report missing or itself a duplicate', { field: 'duplicate_of' });
    }
    duplicateOf = original.id;
  }
  const closing = CLOSED_STATUSES.has(change.status);
  await tx.query(
    `UPDATE incidents SET status = $2, duplicate_of = $3, status_notes = CASE WHEN $4 THEN $5 ELSE status_notes END,
        updated_datetime = now(), closed_at = CASE WHEN $6 THEN now() ELSE NULL END
      WHERE id = $1`,
    [id, change.status, duplicateOf, change.statusNotes !== undefined, change.statusNotes ?? null, closing],
  );
  const after = (await readStaff(tx, id))!;
  await recordAudit(tx, {
    userId, action: 'incident_status_changed', layer: LAYER, featureId: id,
    details: { before: auditView(before), after: auditView(after) },
  });
  return { before, after };
}

/** Publishes or withdraws a report, and/or changes its public answer. */
export async function updateReport(tx: Queryable, userId: number, id: number, fields: { published?: boolean; statusNotes?: string | null }): Promise<StaffIncident> {
  const before = await lockReport(tx, id);
  await tx.query(
    `UPDATE incidents SET published = coalesce($2, published),
        status_notes = CASE WHEN $3 THEN $4 ELSE status_notes END,
        updated_datetime = CASE WHEN $3 THEN now() ELSE updated_datetime END
      WHERE id = $1`,
    [id, fields.published ?? null, fields.statusNotes !== undefined, fields.statusNotes ?? null],
  );
  const after = (await readStaff(tx, id))!;
  const action = fields.published === undefined || fields.published === before.published
    ? 'incident_answered' : fields.published ? 'incident_published' : 'incident_unpublished';
  await recordAudit(tx, { userId, action, layer: LAYER, featureId: id, details: { before: auditView(before), after: auditView(after) } });
  return after;
}

/** The fields an audit entry keeps: the workflow's, never the reporter's details. */
function auditView(r: StaffIncident) {
  return { status: r.status, status_notes: r.status_notes, published: r.published, duplicate_of: r.duplicate_of };
}

export interface IncidentNote { id: number; at: Date; user_email: string | null; note: string }

export async function addNote(tx: Queryable, userId: number, id: number, note: string): Promise<IncidentNote> {
  await lockReport(tx, id);
  const { rows } = await tx.query<IncidentNote & Record<string, unknown>>(
    `INSERT INTO incident_notes (incident_id, user_id, note) VALUES ($1, $2, $3)
     RETURNING id, at, (SELECT email FROM users WHERE id = $2) AS user_email, note`, [id, userId, note]);
  await recordAudit(tx, { userId, action: 'incident_note_added', layer: LAYER, featureId: id, details: { note_id: rows[0]!.id } });
  return rows[0]!;
}

export async function readNotes(db: Queryable, id: number): Promise<IncidentNote[]> {
  const { rows } = await db.query<IncidentNote & Record<string, unknown>>(
    `SELECT n.id, n.at, u.email AS user_email, n.note FROM incident_notes n LEFT JOIN users u ON u.id = n.user_id
      WHERE n.incident_id = $1 ORDER BY n.id`, [id]);
  return rows;
}

/** "Me too": adds a person to a published, open report. */
export async function addFollower(tx: Queryable, id: number, follower: { name: string | null; email: string | null }): Promise<PublicIncident> {
  const report = await lockReport(tx, id);
  if (!report.published || CLOSED_STATUSES.has(report.status)) {
    throw notFound(`aucun signalement ouvert ${id} / no open incident report ${id}`);
  }
  await tx.query('INSERT INTO incident_followers (incident_id, name, email) VALUES ($1, $2, $3)', [id, follower.name, follower.email]);
  await recordAudit(tx, { userId: null, action: 'incident_followed', layer: LAYER, featureId: id });
  return report;
}

/** E-mail addresses to tell of a change to a report: its reporter and its followers. */
export async function recipients(db: Queryable, id: number): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>(
    `SELECT reporter_email AS email FROM incidents WHERE id = $1 AND reporter_email IS NOT NULL
     UNION SELECT email FROM incident_followers WHERE incident_id = $1 AND email IS NOT NULL`, [id]);
  return rows.map((r) => r.email);
}

/** Everything kept about the person using `email`: reports made and reports followed. */
export async function personalData(db: Queryable, email: string) {
  const reports = await db.query(
    `SELECT id, requested_datetime, service_code, description, status, reporter_name, reporter_email, reporter_phone
       FROM incidents WHERE lower(reporter_email) = lower($1) ORDER BY id`, [email]);
  const followed = await db.query(
    `SELECT incident_id, at, name, email FROM incident_followers WHERE lower(email) = lower($1) ORDER BY id`, [email]);
  return { email, reports: reports.rows, followed: followed.rows };
}

/** What an erasure or a purge removed: counts for the answer, and the photo keys whose files the
 *  caller deletes before the transaction commits (so a failed deletion leaves the rows to retry). */
export interface Erased<C> {
  counts: C;
  photoKeys: string[];
}

/** Deletes the photos' rows of reports `ids` (and the public link to the first); returns their keys. */
async function dropPhotos(tx: Queryable, ids: readonly number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  await tx.query('UPDATE incidents SET media_url = NULL WHERE id = ANY ($1::int[]) AND media_url IS NOT NULL', [ids]);
  const { rows } = await tx.query<{ key: string }>('DELETE FROM incident_photos WHERE incident_id = ANY ($1::int[]) RETURNING key', [ids]);
  return rows.map((r) => r.key);
}

/** Erases the person's details and the photos they sent from every report they made (the reports
 *  themselves stay), and their following of others' reports. */
export async function erasePersonalData(
  tx: Queryable, userId: number, email: string,
): Promise<Erased<{ reports: number; followed: number; photos: number }>> {
  const reports = await tx.query<{ id: number }>(
    `UPDATE incidents SET reporter_name = NULL, reporter_email = NULL, reporter_phone = NULL, reporter_purged_at = now()
      WHERE lower(reporter_email) = lower($1) RETURNING id`, [email]);
  const photoKeys = await dropPhotos(tx, reports.rows.map((r) => r.id));
  const followed = await tx.query('DELETE FROM incident_followers WHERE lower(email) = lower($1)', [email]);
  const counts = { reports: reports.rowCount ?? 0, followed: followed.rowCount ?? 0, photos: photoKeys.length };
  // The audit says that an erasure happened and how much it touched, never whose.
  await recordAudit(tx, { userId, action: 'incident_personal_data_erased', layer: LAYER, details: counts });
  return { counts, photoKeys };
}

/** Erases reporters' and followers' details, and the reporters' photos, of reports closed more than
 *  `days` days ago; the count is of reports purged. */
export async function purgeExpiredReporters(tx: Queryable, days: number): Promise<Erased<number>> {
  const { rows } = await tx.query<{ id: number }>(
    `UPDATE incidents SET reporter_name = NULL, reporter_email = NULL, reporter_phone = NULL, reporter_purged_at = now()
      WHERE closed_at < now() - make_interval(days => $1)
        AND (reporter_purged_at IS NULL OR EXISTS (SELECT 1 FROM incident_followers f WHERE f.incident_id = incidents.id)
             OR EXISTS (SELECT 1 FROM incident_photos p WHERE p.incident_id = incidents.id))
      RETURNING id`, [days]);
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return { counts: 0, photoKeys: [] };
  await tx.query('DELETE FROM incident_followers WHERE incident_id = ANY ($1::int[])', [ids]);
  const photoKeys = await dropPhotos(tx, ids);
  await recordAudit(tx, { userId: null, action: 'incident_reporters_purged', layer: LAYER, details: { incidents: ids, retention_days: days, photos: photoKeys.length } });
  return { counts: ids.length, photoKeys };
}
