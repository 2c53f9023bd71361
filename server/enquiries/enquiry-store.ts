// Enquiries about lots in the database: stored, listed for staff, marked answered, and purged once
// older than the retention delay (the enquirers' details are personal data kept no longer than needed).
import type { Queryable } from '../../core/db/database.ts';
import type { EnquiryInput } from './enquiry-input.ts';

export type EnquiryStatus = 'new' | 'answered';
export const ENQUIRY_STATUSES: readonly EnquiryStatus[] = ['new', 'answered'];

export interface Enquiry extends EnquiryInput {
  id: number;
  lot_id: number | null;
  lot_label: string;
  status: EnquiryStatus;
  created_at: string;
  answered_at: string | null;
}

/** Stores an enquiry on lot `lotId`; undefined when there is no such lot. */
export async function insertEnquiry(db: Queryable, lotId: number, input: EnquiryInput): Promise<{ id: number; lot_label: string } | undefined> {
  const { rows } = await db.query<{ id: number; lot_label: string }>(`
    INSERT INTO lot_enquiries (lot_id, lot_label, name, company, email, phone, message, consent_at)
    SELECT l.id, z.name || ' — lot ' || l.lot_number, $2, $3, $4, $5, $6, now()
      FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE l.id = $1
    RETURNING id, lot_label`, [lotId, input.name, input.company, input.email, input.phone, input.message]);
  return rows[0];
}

export async function listEnquiries(db: Queryable, status: EnquiryStatus | undefined): Promise<Enquiry[]> {
  const { rows } = await db.query<Enquiry & Record<string, unknown>>(`
    SELECT id, lot_id, lot_label, name, company, email, phone, message, status, created_at, answered_at
      FROM lot_enquiries WHERE $1::text IS NULL OR status = $1 ORDER BY created_at DESC, id DESC LIMIT 500`, [status ?? null]);
  return rows;
}

/** Sets an enquiry's status; false when there is none with that id. */
export async function setEnquiryStatus(db: Queryable, id: number, status: EnquiryStatus, userId: number): Promise<boolean> {
  const { rowCount } = await db.query(`
    UPDATE lot_enquiries SET status = $2,
           answered_at = CASE WHEN $2 = 'answered' THEN now() END, answered_by = CASE WHEN $2 = 'answered' THEN $3::int END
     WHERE id = $1`, [id, status, userId]);
  return (rowCount ?? 0) > 0;
}

/** Deletes the enquiries older than `days`; returns how many went. */
export async function purgeEnquiries(db: Queryable, days: number): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM lot_enquiries WHERE created_at < now() - make_interval(days => $1)`, [days]);
  return rowCount ?? 0;
}
