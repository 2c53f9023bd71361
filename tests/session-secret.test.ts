// A missing SESSION_SECRET is generated once and kept in the database for every later start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { resolveSessionSecret } from '../server/settings.ts';
import { createLogger } from '../server/logger.ts';
import { openTestDatabase } from './helpers/test-db.ts';

describe('session secret', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  it('uses SESSION_SECRET when it is set, without touching the database', async () => {
    expect(await resolveSessionSecret(db, 'from-env', createLogger())).toBe('from-env');
    const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM app_settings WHERE key = 'session_secret'`);
    expect(rows[0]!.n).toBe(0);
  });

  it('generates a strong secret once and returns the same one on every later start', async () => {
    const first = await resolveSessionSecret(db, undefined, createLogger());
    const second = await resolveSessionSecret(db, undefined, createLogger());
    expect(first).toHaveLength(43);
    expect(second).toBe(first);
  });
});
