// Logs a staff member in against a running test server: the cookie and CSRF token to send.
import { randomBytes } from 'node:crypto';
import type { Database } from '../../core/db/database.ts';
import { upsertUser } from '../../server/auth/users.ts';
import type { Role } from '../../server/auth/sessions.ts';

export interface StaffSession {
  cookie: string;
  csrf: string;
  email: string;
}

/** Creates a staff (or admin) account and logs it in through /api/auth/login. */
export async function createStaffSession(server: { url: string; db: Database }, role: Role = 'staff'): Promise<StaffSession> {
  const email = `agent-${randomBytes(4).toString('hex')}@montfort-communaute.test`;
  const password = 'correct horse battery staple';
  await upsertUser(server.db, email, role, password);
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken, email };
}
