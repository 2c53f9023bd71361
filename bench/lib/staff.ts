// A staff account for suites that drive the app's staff API (imports): made in the database before
// the app starts (the embedded one admits a single process), then logged in over HTTP.
import type { Database } from '../../core/db/database.ts';
import { upsertUser } from '../../server/auth/users.ts';
import type { StaffSession } from '../../tests/helpers/staff-session.ts';

const EMAIL = 'bench-staff@montfort-communaute.test';
const PASSWORD = 'bench staff password, loopback only';

/** Creates (or resets) the bench's staff account in `db`. */
export async function createBenchStaff(db: Database): Promise<void> {
  await upsertUser(db, EMAIL, 'staff', PASSWORD);
}

/** Logs the bench's staff account in at `url` (POST /api/auth/login): the cookie and CSRF token to send. */
export async function logInBenchStaff(url: string): Promise<StaffSession> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`staff login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken, email: EMAIL };
}
