// Login abuse: attempts counted before the password check, per account and per client network,
// shared by two instances; a browser that logged in before keeps its own budget (device cookie), so
// an attacker cannot lock its owner out; X-Forwarded-For entries a client writes do not move a limit; old hashes
// are made again at login; the hashing queue and token comparisons hold their bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { hashPassword } from '../server/auth/password.ts';
import { upsertUser } from '../server/auth/users.ts';
import { tokensEqual } from '../server/auth/token-compare.ts';
import { clientNetwork } from '../server/http/client-network.ts';
import { createBoundedQueue } from '../server/http/bounded-queue.ts';
import { RetryLaterError } from '../server/http/errors.ts';
import { openSiblingDatabase, openTestDatabase } from './helpers/test-db.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const PASSWORD = 'un mot de passe solide';
/** One trusted proxy: the client address is the last X-Forwarded-For entry. */
const BEHIND_ONE_PROXY = { TRUST_PROXY_HOPS: '1' };

function login(server: TestServer, email: string, password: string, forwardedFor: string, cookie?: string) {
  return fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ email, password }),
  });
}

/** The device cookie (value and signature) a successful login set, as a Cookie header. */
function deviceCookie(res: Response): string {
  const pairs = res.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => c.startsWith('websig_device'));
  expect(pairs).toHaveLength(2);
  return pairs.join('; ');
}

const statusCounts = (responses: Response[]) =>
  responses.reduce<Record<number, number>>((counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }), {});

describe('login abuse over HTTP', () => {
  let db: Database;
  let sibling: Database;
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    db = await openTestDatabase();
    sibling = await openSiblingDatabase(db);
    first = await startTestServer({ db, env: BEHIND_ONE_PROXY });
    second = await startTestServer({ db: sibling, env: BEHIND_ONE_PROXY });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sibling?.close();
    await db?.close();
  });

  it('lets at most the account limit (10) of 100 concurrent wrong passwords reach the password check; the rest get 429', async () => {
    await upsertUser(db, 'cible-1@montfort.test', 'staff', PASSWORD);
    // Each from its own network, so only the account's limit can stop them.
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login(first, 'cible-1@montfort.test', `faux-${i}`, `198.18.${i}.1`)));
    expect(statusCounts(answers)).toEqual({ 401: 10, 429: 90 });
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: 'TooManyRequests' });
  });

  it('keeps that limit across two instances sharing the database', async () => {
    await upsertUser(db, 'cible-2@montfort.test', 'staff', PASSWORD);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      login(i % 2 ? first : second, 'cible-2@montfort.test', `faux-${i}`, `198.19.${i}.1`)));
    expect(statusCounts(answers)).toEqual({ 401: 10, 429: 50 });
  });

  it('counts a network whatever the client writes to the left of the proxy’s X-Forwarded-For entry', async () => {
    // 60 accounts, one attempt each: only the network's limit (50) applies. Of the 50 let through,
    // those beyond the hashing queue (2 running, 8 waiting) may be told to come back (503).
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      login(first, `inconnu-${i}@montfort.test`, 'faux', `10.${i}.0.1, 203.0.113.${i % 3 + 1}`)));
    const counts = statusCounts(answers);
    expect(counts[429]).toBe(10);
    expect((counts[401] ?? 0) + (counts[503] ?? 0)).toBe(50);
    expect(counts[401]).toBeGreaterThanOrEqual(10);
    const busy = answers.find((r) => r.status === 503);
    if (busy) expect(busy.headers.get('retry-after')).toBe('2');
  });

  it('counts an IPv6 /64 as one network', async () => {
    const answers = [];
    for (let i = 0; i < 55; i++) answers.push(await login(first, `v6-${i}@montfort.test`, 'faux', `2001:db8:42:7:${(i + 1).toString(16)}::1`));
    expect(statusCounts(answers)).toEqual({ 401: 50, 429: 5 });
  });

  it('forgets an account’s failures after a successful login, and still logs in with the right password then', async () => {
    await upsertUser(db, 'distrait@montfort.test', 'staff', PASSWORD);
    const attempt = (password: string) => login(first, 'distrait@montfort.test', password, '192.0.2.10');
    for (let i = 0; i < 9; i++) expect((await attempt(`faux-${i}`)).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await attempt(`faux-${i}`)).status).toBe(401);
    expect((await attempt(PASSWORD)).status).toBe(200);
  });

  it('does not lock the owner out on a browser that logged in before, while the attacker’s attempts stay refused', async () => {
    await upsertUser(db, 'titulaire@montfort.test', 'staff', PASSWORD);
    await upsertUser(db, 'voisin@montfort.test', 'staff', PASSWORD);
    const owned = await login(first, 'titulaire@montfort.test', PASSWORD, '192.0.2.30');
    expect(owned.status).toBe(200);
    const device = deviceCookie(owned);
    const neighbours = deviceCookie(await login(first, 'voisin@montfort.test', PASSWORD, '192.0.2.31'));
    // The attacker spends the account's budget from many networks.
    const attack = await Promise.all(Array.from({ length: 20 }, (_, i) => login(first, 'titulaire@montfort.test', `faux-${i}`, `198.20.${i}.1`)));
    expect(statusCounts(attack)).toEqual({ 401: 10, 429: 10 });
    // Without the cookie, or with another account's, the right password is refused too…
    expect((await login(first, 'titulaire@montfort.test', PASSWORD, '192.0.2.30')).status).toBe(429);
    expect((await login(first, 'titulaire@montfort.test', PASSWORD, '192.0.2.30', neighbours)).status).toBe(429);
    // …a forged signature is no cookie at all…
    expect((await login(first, 'titulaire@montfort.test', PASSWORD, '192.0.2.30', device.replace(/websig_device\.sig=[^;]+/, 'websig_device.sig=AAAA'))).status).toBe(429);
    // …but the owner's browser logs in, on either instance.
    const again = await login(second, 'titulaire@montfort.test', PASSWORD, '192.0.2.30', device);
    expect(again.status).toBe(200);
    // The device has a budget of its own, as large as the account's: guessing from it is bounded too.
    const fromDevice = await Promise.all(Array.from({ length: 15 }, (_, i) =>
      login(first, 'titulaire@montfort.test', `faux-${i}`, `198.21.${i}.1`, deviceCookie(again))));
    expect(statusCounts(fromDevice)).toEqual({ 401: 10, 429: 5 });
  });

  it('caps all of an account’s devices together at three times the account limit', async () => {
    await upsertUser(db, 'fuite@montfort.test', 'staff', PASSWORD);
    // Four browsers that logged in while the password was known (a leak, say).
    const devices: string[] = [];
    for (let i = 0; i < 4; i++) devices.push(deviceCookie(await login(first, 'fuite@montfort.test', PASSWORD, `192.0.2.${40 + i}`)));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      login(i % 2 ? first : second, 'fuite@montfort.test', `faux-${i}`, `198.22.${i}.1`, devices[i % 4])));
    // The 30 let through may meet a full hashing queue (503 to retry later); the throttle refused 10.
    const counts = statusCounts(answers);
    expect(counts[429]).toBe(10);
    expect((counts[401] ?? 0) + (counts[503] ?? 0)).toBe(30);
  });

  it('counts every spelling the database takes for an account under that account', async () => {
    await upsertUser(db, 'iris.ibis@montfort.test', 'staff', PASSWORD);
    const spellings = ['iris.ibis@montfort.test', 'IRIS.IBIS@montfort.test', 'İrİs.İbİs@montfort.test', 'Iris.ibis@Montfort.test'];
    // Those this database's lower() maps onto the account (with its collation, 'İ' may or may not be one).
    const { rows } = await db.query<{ same: boolean }>(`SELECT lower(s) = lower('iris.ibis@montfort.test') AS same FROM unnest($1::text[]) AS s`, [spellings]);
    const accepted = spellings.filter((_, i) => rows[i]!.same);
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    const answers = await Promise.all(Array.from({ length: 8 * accepted.length }, (_, i) =>
      login(first, accepted[i % accepted.length]!, `faux-${i}`, `198.23.${i}.1`)));
    expect(statusCounts(answers)).toEqual({ 401: 10, 429: 8 * accepted.length - 10 });
  });

  it('hashes a password stored at another cost again at login, and the new hash logs in', async () => {
    const user = await upsertUser(db, 'ancien@montfort.test', 'staff', PASSWORD);
    const old = await hashPassword(PASSWORD, 11);
    await db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [old, user.id]);
    expect((await login(first, 'ancien@montfort.test', PASSWORD, '192.0.2.20')).status).toBe(200);
    const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(rows[0]!.password_hash).not.toBe(old);
    expect(rows[0]!.password_hash).toMatch(new RegExp(`^scrypt\\$${2 ** Number(process.env.PASSWORD_HASH_COST ?? 17)}\\$8\\$1\\$`));
    expect((await login(first, 'ancien@montfort.test', PASSWORD, '192.0.2.20')).status).toBe(200);
  });
});

describe('client networks', () => {
  it('group IPv4 by /24 (mapped IPv6 included), IPv6 by /64, and keep junk apart', () => {
    expect(clientNetwork('203.0.113.9')).toBe('203.0.113.0/24');
    expect(clientNetwork('::ffff:203.0.113.200')).toBe('203.0.113.0/24');
    expect(clientNetwork('2001:db8:1:2:aaaa::1')).toBe(clientNetwork('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(clientNetwork('2001:db8:1:2::1')).not.toBe(clientNetwork('2001:db8:1:3::1'));
    expect(clientNetwork('not an address')).toBe('unparsed:not an address');
  });
});

describe('bounded queue', () => {
  it('runs at most `concurrency` tasks, queues `maxWaiting` and refuses more with a 503 to retry later', async () => {
    const queue = createBoundedQueue({ concurrency: 2, maxWaiting: 1, retryAfterS: 3, what: 'test' });
    const gates: Array<() => void> = [];
    const task = () => queue.run(() => new Promise<void>((ok) => gates.push(ok)));
    const running = [task(), task(), task()];
    await Promise.resolve();
    expect(queue.load()).toEqual({ running: 2, waiting: 1 });
    const refused = await task().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RetryLaterError);
    expect(refused).toMatchObject({ status: 503, retryAfterS: 3 });
    gates.shift()!();
    await running[0];
    await new Promise((ok) => setTimeout(ok, 0));
    expect(queue.load()).toEqual({ running: 2, waiting: 0 });
    gates.splice(0).forEach((open) => open());
    await Promise.all(running);
    expect(queue.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot of a task that throws', async () => {
    const queue = createBoundedQueue({ concurrency: 1, maxWaiting: 0, retryAfterS: 1, what: 'test' });
    await expect(queue.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await queue.run(async () => 'ok')).toBe('ok');
  });
});

describe('token comparison', () => {
  it('accepts the same token only, whatever the lengths', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('abcd', 'abc')).toBe(false);
    expect(tokensEqual(undefined, 'abc')).toBe(false);
    expect(tokensEqual('', '')).toBe(true);
  });
});
