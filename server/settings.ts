// Settings the platform keeps in its own database, such as a generated session secret.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Queryable } from '../core/db/database.ts';

/** The session secret: SESSION_SECRET when given, else one generated once and stored in the database. */
export async function resolveSessionSecret(db: Queryable, fromEnv: string | undefined, log: Logger): Promise<string> {
  if (fromEnv) return fromEnv;
  // ON CONFLICT keeps the first instance's secret when several start together on one database.
  const result = await db.query<{ value: string }>(
    `INSERT INTO app_settings (key, value) VALUES ('session_secret', $1)
     ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING value`,
    [randomBytes(32).toString('base64url')],
  );
  log.warn('SESSION_SECRET is not set: using the secret generated and stored in the database (app_settings)');
  return result.rows[0]!.value;
}
