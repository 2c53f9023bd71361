// Staff sessions: login, cookie flags, CSRF on unsafe requests, logout, wrong credentials, rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../server/auth/password.ts';
import { readPasswordHashCost } from '../core/config.ts';
import { UserInputError, upsertUser } from '../server/auth/users.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { createStaffSession } from './helpers/staff-session.ts';

describe('passwords', () => {
  it('verify the right password and refuse a wrong one or a malformed hash', async () => {
    const hash = await hashPassword('un mot de passe très long');
    expect(hash).toMatch(new RegExp(`^scrypt\\$${2 ** readPasswordHashCost()}\\$8\\$1\\$`));
    expect(await verifyPassword('un mot de passe très long', hash)).toBe(true);
    expect(await verifyPassword('un autre mot de passe', hash)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('hash at OWASP\'s scrypt cost (N=2^17, r=8, p=1) within the memory bound they set', async () => {
    const hash = await hashPassword('un mot de passe très long', 17);
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('un mot de passe très long', hash)).toBe(true);
  });

  it('refuse a stored hash asking for more memory than allowed, without trying it', async () => {
    const hash = await hashPassword('un mot de passe très long', 10);
    expect(await verifyPassword('un mot de passe très long', hash.replace('$1024$', '$4194304$'))).toBe(false);
  });

  it('salt every hash', async () => {
    expect(await hashPassword('même mot de passe')).not.toBe(await hashPassword('même mot de passe'));
  });
});

describe('staff sessions over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('refuses weak passwords and bad e-mails when creating an account', async () => {
    await expect(upsertUser(server.db, 'agent@example.org', 'staff', 'court')).rejects.toBeInstanceOf(UserInputError);
    await expect(upsertUser(server.db, 'pas-un-email', 'staff', 'un mot de passe solide')).rejects.toBeInstanceOf(UserInputError);
  });

  it('logs in with an HttpOnly SameSite cookie that is not Secure over plain HTTP', async () => {
    await upsertUser(server.db, 'Agent.Eco@Montfort.test', 'staff', 'un mot de passe solide');
    const res = await post('/api/auth/login', { email: 'agent.eco@montfort.test', password: 'un mot de passe solide' });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('websig_session='))!;
    expect(session).toMatch(/httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    expect(session).not.toMatch(/secure/i);
    expect(cookies.some((c) => c.startsWith('websig_session.sig='))).toBe(true);
    const body = (await res.json()) as { user: { email: string; role: string }; csrfToken: string };
    expect(body.user).toMatchObject({ email: 'Agent.Eco@Montfort.test', role: 'staff' });
    expect(body.csrfToken.length).toBeGreaterThan(20);
  });

  it('answers /me for a session and 401 without one', async () => {
    const staff = await createStaffSession(server);
    const me = await fetch(server.url + '/api/auth/me', { headers: { cookie: staff.cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(staff.email);
    const anonymous = await fetch(server.url + '/api/auth/me');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'Unauthorized' });
  });

  it('rejects a forged cookie whose signature does not match', async () => {
    const staff = await createStaffSession(server);
    const forged = staff.cookie.replace(/websig_session=[^;]+/, 'websig_session=forged-token');
    expect((await fetch(server.url + '/api/auth/me', { headers: { cookie: forged } })).status).toBe(401);
  });

  it('refuses a logout without the CSRF token and ends the session with it', async () => {
    const staff = await createStaffSession(server);
    expect((await post('/api/auth/logout', {}, { cookie: staff.cookie })).status).toBe(403);
    expect((await post('/api/auth/logout', {}, { cookie: staff.cookie, 'x-csrf-token': staff.csrf })).status).toBe(204);
    expect((await fetch(server.url + '/api/auth/me', { headers: { cookie: staff.cookie } })).status).toBe(401);
  });

  it('answers wrong credentials and malformed bodies with JSON 4xx, never a 500', async () => {
    const wrong = await post('/api/auth/login', { email: 'nobody@example.org', password: 'whatever-password' });
    expect(wrong.status).toBe(401);
    expect((await post('/api/auth/login', { email: 42 })).status).toBe(400);
    expect((await post('/api/auth/login', 'not an object')).status).toBe(400);
    // PostgreSQL text cannot hold NUL: found by the fuzz suite as a 500 on PostGIS.
    const nul = await post('/api/auth/login', { email: 'a\u0000@example.org', password: '' });
    expect(nul.status).toBe(400);
    expect(await nul.json()).toHaveProperty('code');
    const malformed = await fetch(server.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toHaveProperty('code');
  });

  it('marks the cookie Secure when a trusted proxy says the request was HTTPS', async () => {
    const proxied = await startTestServer({ db: server.db, env: { TRUST_PROXY: '1' } });
    try {
      await upsertUser(server.db, 'proxy@montfort.test', 'admin', 'un mot de passe solide');
      const res = await fetch(proxied.url + '/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ email: 'proxy@montfort.test', password: 'un mot de passe solide' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('websig_session='))).toMatch(/secure/i);
    } finally {
      await proxied.close();
    }
  });

  it('answers 429 after ten failed logins from one client, even with the right password', async () => {
    const fresh = await startTestServer({ db: server.db });
    try {
      await upsertUser(server.db, 'cible@montfort.test', 'staff', 'un mot de passe solide');
      const attempt = (password: string) =>
        fetch(fresh.url + '/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'cible@montfort.test', password }),
        });
      for (let i = 0; i < 10; i++) expect((await attempt(`mauvais-${i}-mot-de-passe`)).status).toBe(401);
      const blocked = await attempt('un mot de passe solide');
      expect(blocked.status).toBe(429);
      expect(await blocked.json()).toMatchObject({ code: 'TooManyRequests' });
    } finally {
      await fresh.close();
    }
  });
});
