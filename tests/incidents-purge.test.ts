// The RGPD purge: reporters' and followers' details erased once their report has been closed for
// longer than the configured delay, and kept before; open reports are never purged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { purgeReporters } from '../server/incidents/incident-purge.ts';
import { createLocalFileStore } from '../server/storage/file-store.ts';

describe('purge of reporters’ details', () => {
  let db: Database;
  let dir: string;
  /** No photo here (incidents-photo-erasure.test.ts covers them): an empty store. */
  let files: ReturnType<typeof createLocalFileStore>;

  /** A report with a reporter and a follower, closed `closedDaysAgo` days ago (open when null). */
  const seedReport = async (closedDaysAgo: number | null) => {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO incidents (service_code, description, status, published, reporter_name, reporter_email, reporter_phone, closed_at, geom)
       SELECT 'other', 'test', $1, true, 'Alex', 'alex@example.org', '0600000000',
              CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(days => $2::int) END,
              ST_PointOnSurface(geom) FROM communes LIMIT 1
       RETURNING id`, [closedDaysAgo === null ? 'in_progress' : 'resolved', closedDaysAgo]);
    await db.query("INSERT INTO incident_followers (incident_id, name, email) VALUES ($1, 'Sam', 'sam@example.org')", [rows[0]!.id]);
    return rows[0]!.id;
  };
  const contact = async (id: number) => (await db.query(
    `SELECT reporter_name, reporter_email, reporter_phone, reporter_purged_at IS NOT NULL AS purged,
            (SELECT count(*)::int FROM incident_followers WHERE incident_id = $1) AS followers FROM incidents WHERE id = $1`, [id])).rows[0];

  beforeAll(async () => {
    db = await openTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'websig-purge-'));
    files = createLocalFileStore(dir);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('erases details of reports closed longer ago than the delay, and only those', async () => {
    const expired = await seedReport(31);
    const recent = await seedReport(29);
    const open = await seedReport(null);
    expect(await purgeReporters(db, files, 30)).toBeGreaterThanOrEqual(1);
    expect(await contact(expired)).toEqual({ reporter_name: null, reporter_email: null, reporter_phone: null, purged: true, followers: 0 });
    expect(await contact(recent)).toMatchObject({ reporter_email: 'alex@example.org', purged: false, followers: 1 });
    expect(await contact(open)).toMatchObject({ reporter_email: 'alex@example.org', purged: false, followers: 1 });
    const audit = await db.query<{ details: { incidents: number[] } }>("SELECT details FROM audit_log WHERE action = 'incident_reporters_purged'");
    expect(audit.rows.at(-1)!.details.incidents).toContain(expired);
    expect(JSON.stringify(audit.rows)).not.toContain('@example.org');
    // A second run has nothing left to do.
    expect(await purgeReporters(db, files, 30)).toBe(0);
  });
});
