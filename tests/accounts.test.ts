// Staff accounts managed by admins over HTTP, the first-admin setup token, and user:add's refusal
// to change an existing account without --reset.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { itUnless, missingPostgis } from './helpers/skip.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createUser, upsertUser, UserExistsError } from '../server/auth/users.ts';
import { issueSetupToken } from '../server/auth/first-admin.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession, type StaffSession } from './helpers/staff-session.ts';
import { openTestDatabase } from './helpers/test-db.ts';

describe('account management over HTTP', () => {
  let server: TestServer;
  let admin: StaffSession;
  let staff: StaffSession;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await createStaffSession(server, 'admin');
    staff = await createStaffSession(server, 'staff');
  });
  afterAll(async () => server?.close());

  const call = (method: string, path: string, session?: StaffSession, body?: unknown, csrf = true) =>
    fetch(server.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(session ? { cookie: session.cookie } : {}),
        ...(session && csrf ? { 'x-csrf-token': session.csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const password = 'un mot de passe bien long';

  it('lets only admins list and create accounts', async () => {
    expect((await call('GET', '/api/users')).status).toBe(401);
    expect((await call('GET', '/api/users', staff)).status).toBe(403);
    expect((await call('POST', '/api/users', staff, { email: 'x@montfort.test', role: 'staff', password })).status).toBe(403);
    const list = await call('GET', '/api/users', admin);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { users: { email: string }[] }).users.map((u) => u.email)).toContain(staff.email);
    const created = await call('POST', '/api/users', admin, { email: 'nouvel.agent@montfort.test', role: 'staff', password });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ email: 'nouvel.agent@montfort.test', role: 'staff', disabled: false });
  });

  it('refuses an account creation without the CSRF token', async () => {
    expect((await call('POST', '/api/users', admin, { email: 'csrf@montfort.test', password }, false)).status).toBe(403);
  });

  it('answers 409 for an e-mail already used and 422 naming the field for a weak password or unknown role', async () => {
    const again = await call('POST', '/api/users', admin, { email: staff.email.toUpperCase(), role: 'staff', password });
    expect(again.status).toBe(409);
    const weak = await call('POST', '/api/users', admin, { email: 'faible@montfort.test', role: 'staff', password: 'court' });
    expect(weak.status).toBe(422);
    expect(await weak.json()).toMatchObject({ field: 'password' });
    const role = await call('POST', '/api/users', admin, { email: 'role@montfort.test', role: 'root', password });
    expect(await role.json()).toMatchObject({ field: 'role' });
  });

  it('ends the sessions of an account it disables, and lets it log in again once re-enabled', async () => {
    const victim = await createStaffSession(server);
    const id = ((await (await call('GET', '/api/auth/me', victim)).json()) as { user: { id: number } }).user.id;
    const disabled = await call('PATCH', `/api/users/${id}`, admin, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ disabled: true });
    expect((await call('GET', '/api/auth/me', victim)).status).toBe(401);
    const { rows } = await server.db.query('SELECT 1 FROM sessions WHERE user_id = $1', [id]);
    expect(rows).toHaveLength(0);
    const login = () => fetch(server.url + '/api/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: victim.email, password: 'correct horse battery staple' }),
    });
    expect((await login()).status).toBe(401);
    expect((await call('PATCH', `/api/users/${id}`, admin, { disabled: false })).status).toBe(200);
    expect((await login()).status).toBe(200);
  });

  it('ends the sessions of an account whose password it resets', async () => {
    const victim = await createStaffSession(server);
    const id = ((await (await call('GET', '/api/auth/me', victim)).json()) as { user: { id: number } }).user.id;
    expect((await call('POST', `/api/users/${id}/password`, admin, { password: 'un tout nouveau mot de passe' })).status).toBe(204);
    expect((await call('GET', '/api/auth/me', victim)).status).toBe(401);
    const login = await fetch(server.url + '/api/auth/login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: victim.email, password: 'un tout nouveau mot de passe' }),
    });
    expect(login.status).toBe(200);
  });

  it('changes roles, but never demotes or disables the last active admin', async () => {
    const other = await call('POST', '/api/users', admin, { email: 'promu@montfort.test', role: 'staff', password });
    const otherId = ((await other.json()) as { id: number }).id;
    const promoted = await call('PATCH', `/api/users/${otherId}`, admin, { role: 'admin' });
    expect(await promoted.json()).toMatchObject({ role: 'admin' });
    expect((await call('PATCH', `/api/users/${otherId}`, admin, { role: 'staff' })).status).toBe(200);
    // Every other admin is demoted, so the one left cannot demote or disable itself.
    const me = ((await (await call('GET', '/api/auth/me', admin)).json()) as { user: { id: number } }).user.id;
    await server.db.query(`UPDATE users SET role = 'staff' WHERE role = 'admin' AND id <> $1`, [me]);
    expect((await call('PATCH', `/api/users/${me}`, admin, { role: 'staff' })).status).toBe(409);
    expect((await call('PATCH', `/api/users/${me}`, admin, { disabled: true })).status).toBe(409);
  });

  it('records account changes in the audit log, readable per person', async () => {
    const me = ((await (await call('GET', '/api/auth/me', admin)).json()) as { user: { id: number } }).user.id;
    const history = await call('GET', `/api/users/${me}/history`, admin);
    expect(history.status).toBe(200);
    const actions = ((await history.json()) as { entries: { action: string }[] }).entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['user_created', 'user_disabled', 'user_enabled', 'user_password_reset']));
    const staffId = ((await (await call('GET', '/api/auth/me', staff)).json()) as { user: { id: number } }).user.id;
    expect((await call('GET', `/api/users/${me}/history`, staff)).status).toBe(403);
    expect((await call('GET', `/api/users/${staffId}/history`, staff)).status).toBe(200);
  });
});

describe('first admin setup', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());
  const setup = (body: unknown) => fetch(server.url + '/api/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('issues no token while an admin exists', async () => {
    await upsertUser(server.db, 'admin.existant@montfort.test', 'admin', 'un mot de passe solide');
    expect(await issueSetupToken(server.db)).toBeUndefined();
    expect(await (await fetch(server.url + '/api/setup')).json()).toEqual({ open: false });
    await server.db.query(`UPDATE users SET disabled = true WHERE role = 'admin'`);
  });

  it('creates the first admin with the start-up token, once, and refuses a wrong token', async () => {
    const token = (await issueSetupToken(server.db))!;
    expect(token.length).toBeGreaterThan(20);
    expect(await (await fetch(server.url + '/api/setup')).json()).toEqual({ open: true });
    const wrong = await setup({ token: 'pas-le-bon-jeton', email: 'premier@montfort.test', password: 'un mot de passe solide' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ field: 'token' });
    const ok = await setup({ token, email: 'premier@montfort.test', password: 'un mot de passe solide' });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ user: { email: 'premier@montfort.test', role: 'admin' } });
    const again = await setup({ token, email: 'second@montfort.test', password: 'un mot de passe solide' });
    expect(again.status).toBe(410);
    expect(await issueSetupToken(server.db)).toBeUndefined();
  });
});

describe('npm run user:add', () => {
  it('refuses to change an existing account without --reset', async () => {
    const db = await openTestDatabase();
    try {
      await createUser(db, 'cli@montfort.test', 'staff', 'un mot de passe solide');
      await expect(createUser(db, 'CLI@montfort.test', 'admin', 'un autre mot de passe')).rejects.toBeInstanceOf(UserExistsError);
      const { rows } = await db.query<{ role: string }>(`SELECT role FROM users WHERE email = 'cli@montfort.test'`);
      expect(rows[0]!.role).toBe('staff');
      expect(await upsertUser(db, 'cli@montfort.test', 'admin', 'un autre mot de passe')).toMatchObject({ role: 'admin' });
    } finally {
      await db.close();
    }
  });

  // PostGIS only: the command opens the database in a process of its own, and an embedded data
  // directory is held by the one process that opened it.
  itUnless(missingPostgis(inject('databaseUrl')), 'says so on the command line and exits 1, and changes the account with --reset', async () => {
    const url = inject('databaseUrl');
    const run = (args: string[]) => promisify(execFile)('node', ['--import', 'tsx', 'server/auth/user-add.cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: url, PASSWORD: 'un mot de passe solide' },
    }).then(() => 0, (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }));
    const email = `cli-${Date.now()}@montfort.test`;
    expect(await run(['--email', email, '--role', 'staff'])).toBe(0);
    const refused = await run(['--email', email, '--role', 'admin']);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/--reset/);
    expect(await run(['--email', email, '--role', 'admin', '--reset'])).toBe(0);
  });
});
