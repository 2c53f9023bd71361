// The lean tile path (server/http/lean-tiles.ts) answers exactly as the generic Koa route: the same
// requests sent to an app with it and to one without it get the same status, headers (apart from
// Date and a fresh request id) and bytes — plain, gzip, 304, versioned, empty, HEAD, errors. Demo
// data, both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { ident, publicRowFilter } from '../core/layers/layer-sql.ts';
import { tileAt, tilePath } from './helpers/tile-golden.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { countKoaContexts, startTestServer, type TestServer } from './helpers/test-server.ts';

/** Headers that differ between any two answers, whoever serves them. */
const PER_ANSWER = new Set(['date', 'x-request-id']);

interface Answer { status: number; headers: Record<string, string>; body: Buffer; requestId: string | null }

async function ask(server: TestServer, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(server.url + path, init);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!PER_ANSWER.has(name)) headers[name] = value;
  });
  return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()), requestId: res.headers.get('x-request-id') };
}

describe('the lean tile path', () => {
  let db: Database;
  let lean: TestServer;
  let generic: TestServer;
  /** Koa contexts the lean server made: one per request that took the generic path. */
  let contexts: () => number;
  /** A tile of over 1 KB (gzipped when asked) and a smaller one, found in the demo data. */
  let large: string;
  let small: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    [lean, generic] = await Promise.all([
      startTestServer({ db }),
      startTestServer({ db, leanPaths: false }),
    ]);
    contexts = countKoaContexts(lean);
    const sizes: { path: string; bytes: number }[] = [];
    for (const layer of createLayerRegistry().all.filter((l) => l.public)) {
      const { rows } = await db.query<{ lon: number; lat: number }>(
        `SELECT ST_X(ST_PointOnSurface(t.geom)) AS lon, ST_Y(ST_PointOnSurface(t.geom)) AS lat
           FROM ${ident(layer.id)} t WHERE ${publicRowFilter(layer)} ORDER BY 1 LIMIT 1`);
      if (!rows[0]) continue;
      for (let z = layer.minzoom; z <= Math.min(layer.maxzoom, 16); z += 2) {
        const path = tilePath(layer.id, tileAt(rows[0].lon, rows[0].lat, z));
        const res = await fetch(generic.url + path);
        sizes.push({ path, bytes: (await res.arrayBuffer()).byteLength });
      }
    }
    large = sizes.find((s) => s.bytes >= 1024)!.path;
    small = sizes.find((s) => s.bytes > 0 && s.bytes < 1024)!.path;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([lean?.close(), generic?.close()]);
    await db?.close();
  });

  /** Asks both servers twice (the lean one learns an Accept-Encoding on its first sight) and compares the second answers. */
  async function same(path: string, init: RequestInit = {}): Promise<Answer> {
    await ask(lean, path, init);
    const before = contexts();
    const [a, b] = await Promise.all([ask(lean, path, init), ask(generic, path, init)]);
    expect({ status: a.status, headers: a.headers }).toEqual({ status: b.status, headers: b.headers });
    expect(a.body.equals(b.body)).toBe(true);
    expect(a.requestId).toMatch(/^[\w.:-]{1,64}$/);
    return { ...a, requestId: contexts() === before ? 'lean' : 'generic' };
  }

  it('serves plain, gzip, conditional, versioned and HEAD tile requests on the lean path, as the route does', async () => {
    expect(large).toBeDefined();
    expect(small).toBeDefined();
    const plain = await same(large);
    expect(plain.status).toBe(200);
    expect(plain.requestId).toBe('lean');
    expect(plain.headers['content-security-policy']).toContain("default-src 'self'");

    const zipped = await same(large, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.requestId).toBe('lean');
    // Small tiles go out as they are; an encoding without gzip gets identity.
    expect((await same(small, { headers: { 'Accept-Encoding': 'gzip, br' } })).headers['content-encoding']).toBeUndefined();
    expect((await same(large, { headers: { 'Accept-Encoding': 'br' } })).headers['content-encoding']).toBeUndefined();

    for (const etag of [plain.headers.etag!, zipped.headers.etag!, `W/${plain.headers.etag}`, '*']) {
      const notModified = await same(large, { headers: { 'If-None-Match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.requestId).toBe('lean');
    }
    expect((await same(large, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);

    const head = await same(large, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.requestId).toBe('lean');

    const layers = large.split('/')[2]!;
    const { tiles } = (await (await fetch(`${generic.url}/tiles/${layers}.json`)).json()) as { tiles: string[] };
    const v = new URL(tiles[0]!.replace('{z}/{x}/{y}', '0/0/0')).searchParams.get('v')!;
    const current = await same(`${large}?v=${v}`);
    expect(current.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(current.requestId).toBe('lean');
    expect((await same(`${large}?v=AAAAAAAAAAAAAAAA`)).headers['cache-control']).toBe('no-store');

    // The ocean off West Africa: nothing there.
    const empty = await same(`/tiles/${layers}/16/0/0.mvt`);
    expect(empty.status).toBe(204);
    expect(empty.requestId).toBe('lean');
  });

  it('still learns a browser\'s Accept-Encoding after clients sent many made-up ones', async () => {
    for (let i = 0; i < 80; i++) await ask(lean, large, { headers: { 'Accept-Encoding': `gzip;q=0.5, x-made-up-${i}` } });
    const browser = await same(large, { headers: { 'Accept-Encoding': 'gzip, deflate, br, zstd' } });
    expect(browser.headers['content-encoding']).toBe('gzip');
    expect(browser.requestId).toBe('lean');
  });

  it('keeps a client-given request id, and counts lean answers in the request metric', async () => {
    const res = await fetch(lean.url + large, { headers: { 'X-Request-Id': 'proxy-42' } });
    expect(res.headers.get('x-request-id')).toBe('proxy-42');
    const metrics = await (await fetch(`${lean.url}/metrics`)).text();
    expect(metrics).toMatch(/websig_http_request_duration_seconds_count\{method="GET",route="\/tiles\/:layers\/:z\/:x\/:file",status="200"\} [1-9]/);
    expect(metrics).toMatch(/websig_http_request_duration_seconds_count\{method="HEAD",route="\/tiles\/:layers\/:z\/:x\/:file",status="200"\} [1-9]/);
  });

  it('leaves bad addresses, unknown layers, odd spellings and cookies to the generic path, with its JSON errors', async () => {
    const layers = large.split('/')[2]!;
    for (const [path, status] of [
      [`/tiles/${layers}/23/0/0.mvt`, 400],
      [`/tiles/${layers}/2/4/0.mvt`, 400],
      [`/tiles/nope/2/1/1.mvt`, 404],
      [`/tiles/${layers},${layers}/2/1/1.mvt`, 400],
      [`/tiles/${layers}/2/1/1.png`, 404],
      [`${large}?v=a&v=b`, 200],
      [`${large}?x=1`, 200],
    ] as const) {
      const answer = await same(path);
      expect(answer.status).toBe(status);
      expect(answer.requestId).toBe('generic');
      if (status >= 400) expect(JSON.parse(answer.body.toString())).toMatchObject({ code: expect.any(String), description: expect.any(String) });
    }
    expect((await same(large, { headers: { Cookie: 'websig-rw=1' } })).requestId).toBe('generic');
  });
});

describe('the lean tile path behind a trusted proxy', () => {
  it('answers what the route answers, HSTS included when the proxy says https', async () => {
    const db = await openTestDatabase();
    const env = { TRUST_PROXY_HOPS: '1' };
    const [lean, generic] = await Promise.all([startTestServer({ db, env }), startTestServer({ db, env, leanPaths: false })]);
    const contexts = countKoaContexts(lean);
    try {
      const layer = createLayerRegistry().all.find((l) => l.public)!;
      const path = `/tiles/${layer.id}/${layer.minzoom}/0/0.mvt`;
      for (const proto of ['https', 'http', 'https, http', 'HTTPS']) {
        const init = { headers: { 'X-Forwarded-Proto': proto, 'Accept-Encoding': '' } };
        const before = contexts();
        const [a, b] = await Promise.all([ask(lean, path, init), ask(generic, path, init)]);
        expect({ status: a.status, headers: a.headers }).toEqual({ status: b.status, headers: b.headers });
        expect(contexts()).toBe(before);
        if (/^https/i.test(proto)) expect(a.headers['strict-transport-security']).toBe('max-age=31536000');
      }
    } finally {
      await Promise.all([lean.close(), generic.close()]);
      await db.close();
    }
  }, 120_000);
});
