// The audit trail: one audit_log row per change (who, when, what, before and after), written in
// the transaction of the change itself, and read back per feature or per person.
import type { Queryable } from '../../core/db/database.ts';

export interface AuditEntry {
  /** Who made the change (null for the command line or a deleted account). */
  userId: number | null;
  /** What happened, in snake case and past tense: `lot_updated`, `user_disabled`… */
  action: string;
  layer?: string;
  featureId?: string | number;
  /** `before` and `after` (the feature or fields as they were and became), and any context. */
  details?: Readonly<Record<string, unknown>>;
}

export type AuditRecord = {
  id: number;
  at: string;
  user: { id: number; email: string } | null;
  action: string;
  layer: string | null;
  feature_id: string | null;
  details: Record<string, unknown> | null;
};

/** Records one change; returns its id. */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO audit_log (user_id, action, layer, feature_id, details) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [entry.userId, entry.action, entry.layer ?? null, entry.featureId === undefined ? null : String(entry.featureId), entry.details ? JSON.stringify(entry.details) : null],
  );
  return rows[0]!.id;
}

/** Which entries to read: those of one feature, or those made by one person. */
export type AuditFilter = { layer: string; featureId: string | number } | { userId: number };

/** Entries newest first, at most `limit`. */
export async function readAudit(db: Queryable, filter: AuditFilter, limit: number): Promise<AuditRecord[]> {
  const byFeature = 'layer' in filter;
  const { rows } = await db.query<AuditRecord>(
    `SELECT a.id, to_json(a.at)#>>'{}' AS at,
            CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'email', u.email) END AS "user",
            a.action, a.layer, a.feature_id, a.details
       FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
      WHERE ${byFeature ? 'a.layer = $1 AND a.feature_id = $2' : 'a.user_id = $1'}
      ORDER BY a.id DESC LIMIT ${byFeature ? '$3' : '$2'}`,
    byFeature ? [filter.layer, String(filter.featureId), limit] : [filter.userId, limit],
  );
  return rows;
}
