// The lean items path (server/http/lean-items.ts) answers exactly as the generic Koa route: the same
// requests sent to an app with it and to one without it get the same status, headers (apart from
// Date and a fresh request id) and bytes — plain, gzip, 304, bbox and CRS variants, paging, HEAD,
// languages, errors, cookies, HTML, behind a trusted proxy; its reads in one replica scope. Demo data, both databases.
import { AsyncLocalStorage } from 'node:async_hooks';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Row } from '../core/db/database.ts';
import type { ReadRouter } from '../core/db/read-router.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { countKoaContexts, startTestServer, type TestServer } from './helpers/test-server.ts';

/** Headers that differ between any two answers, whoever serves them. */
const PER_ANSWER = new Set(['date', 'x-request-id']);

interface Answer { status: number; headers: Record<string, string>; body: Buffer; path: 'lean' | 'generic' }

/** The parcels' bbox of the OGC tests: Rennes' west, some parcels inside. */
const BBOX = '-1.99,48.12,-1.93,48.16';
const ITEMS = '/ogc/collections/parcels/items';
const STAMP = /"timeStamp":"[^"]+"/;

/** Options of one request: node:http rather than fetch, which adds an Accept-Encoding and cannot set Host. */
interface Ask { method?: string; headers?: Record<string, string> }

/**
 * One request with the same Host whichever server it goes to (the links and ETag name it), its body
 * decoded when compressed.
 */
function ask(server: TestServer, path: string, { method = 'GET', headers = {} }: Ask): Promise<Omit<Answer, 'path'>> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: 'websig.test:8080', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (!PER_ANSWER.has(name)) kept[name] = String(value);
        expect(res.headers['x-request-id']).toMatch(/^[\w.:-]{1,64}$/);
        const body = Buffer.concat(chunks);
        const decode = { gzip: gunzipSync, br: brotliDecompressSync, deflate: inflateSync }[res.headers['content-encoding'] ?? ''];
        resolve({ status: res.statusCode!, headers: kept, body: decode ? decode(body) : body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Both apps on one database, counting the Koa contexts the lean one makes (one per request it leaves to Koa). */
async function pair(db: Database, env: NodeJS.ProcessEnv = {}) {
  const [lean, generic] = await Promise.all([startTestServer({ db, env }), startTestServer({ db, env, leanPaths: false })]);
  const contexts = countKoaContexts(lean);
  /** Asks both servers twice (the lean one learns an Accept or Accept-Language on its first sight) and compares the second answers. */
  async function same(path: string, init: Ask = {}): Promise<Answer> {
    await ask(lean, path, init);
    const before = contexts();
    const a = await ask(lean, path, init);
    const b = await ask(generic, path, init);
    expect({ status: a.status, headers: a.headers }).toEqual({ status: b.status, headers: b.headers });
    // The time stamp is the only part that moves between two answers (fetch unzips gzipped ones).
    const text = (x: typeof a) => x.body.toString().replace(STAMP, '');
    expect(text(a)).toBe(text(b));
    return { ...a, path: contexts() === before ? 'lean' : 'generic' };
  }
  return { lean, generic, same, close: () => Promise.all([lean.close(), generic.close()]) };
}

describe('the lean items path', () => {
  let db: Database;
  let both: Awaited<ReturnType<typeof pair>>;

  beforeAll(async () => {
    db = await openTestDatabase();
    both = await pair(db);
  }, 120_000);
  afterAll(async () => {
    await both?.close();
    await db?.close();
  });

  it('answers plain, paged, bbox, CRS, HEAD, gzip and conditional items requests on the lean path, as the route does', async () => {
    const { same } = both;
    const plain = await same(`${ITEMS}?bbox=${BBOX}&limit=10`);
    expect(plain.status).toBe(200);
    expect(plain.path).toBe('lean');
    expect(plain.headers['content-type']).toBe('application/geo+json');
    expect(plain.headers['cache-control']).toBe('private, no-cache');
    expect(plain.headers.vary).toBe('Accept-Encoding, Accept, Accept-Language');
    const next = (JSON.parse(plain.body.toString()) as { links: { rel: string; href: string }[] }).links.find((l) => l.rel === 'next')!;
    expect(next).toBeDefined();

    for (const path of [
      `${ITEMS}?bbox=${BBOX}`, `${ITEMS}?limit=100&bbox=${BBOX}`, ITEMS, `${ITEMS}?limit=3`, `${ITEMS}?limit=3&offset=6`,
      new URL(next.href).pathname + new URL(next.href).search, `${ITEMS}?bbox=${BBOX}&limit=5&f=json`,
      `${ITEMS}?bbox=48.12,-1.99,48.16,-1.93&bbox-crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/4326')}&limit=4`,
      `${ITEMS}?limit=2&crs=${encodeURIComponent('http://www.opengis.net/def/crs/EPSG/0/2154')}`,
      `${ITEMS}?limit=2&properties=commune`, `${ITEMS}?bbox=2.0,45.0,2.1,45.1`, `${ITEMS}?limit=1000`,
    ]) {
      const answer = await same(path);
      expect(answer.status).toBe(200);
      expect(answer.path).toBe('lean');
    }

    const head = await same(`${ITEMS}?bbox=${BBOX}&limit=10`, { method: 'HEAD' });
    expect(head.path).toBe('lean');
    expect(head.headers['content-length']).toBe(plain.headers['content-length']);

    for (const encoding of ['gzip', 'gzip, deflate', 'identity', 'GZIP, compress']) {
      const zipped = await same(`${ITEMS}?bbox=${BBOX}&limit=10`, { headers: { 'Accept-Encoding': encoding } });
      expect(zipped.path).toBe('lean');
      expect(zipped.headers['content-encoding']).toBe(/gzip/i.test(encoding) ? 'gzip' : undefined);
    }
    // Encodings koa-compress would pick over gzip, or weights: Koa negotiates them.
    for (const encoding of ['gzip, deflate, br', 'deflate', 'deflate, compress', 'gzip;q=0.5, identity', '*']) {
      expect((await same(`${ITEMS}?bbox=${BBOX}&limit=10`, { headers: { 'Accept-Encoding': encoding } })).path).toBe('generic');
    }

    for (const etag of [plain.headers.etag!, '*']) {
      const notModified = await same(`${ITEMS}?bbox=${BBOX}&limit=10`, { headers: { 'If-None-Match': etag } });
      expect(notModified.status).toBe(304);
      expect(notModified.path).toBe('lean');
    }
    expect((await same(`${ITEMS}?bbox=${BBOX}&limit=10`, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);

    for (const language of ['en', 'fr-FR,fr;q=0.9', 'de']) {
      const answer = await same(`${ITEMS}?limit=2`, { headers: { 'Accept-Language': language } });
      expect(answer.path).toBe('lean');
      expect(answer.headers['content-language']).toBe(language === 'en' ? 'en' : 'fr');
    }
    expect((await same(`${ITEMS}?limit=2`, { headers: { Accept: 'application/geo+json' } })).path).toBe('lean');
  });

  it('answers as the route the requests clients or attackers send beside the usual ones', async () => {
    const { same } = both;
    const etag = (await same(`${ITEMS}?limit=2`)).headers.etag!;
    for (const [path, headers, method] of [
      // Forwarded headers from a client the app does not trust: no host or scheme of theirs in the links, no HSTS.
      [`${ITEMS}?limit=2`, { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' }, 'GET'],
      [`${ITEMS}?limit=2`, { Host: 'WEBSIG.Test' }, 'GET'],
      [`${ITEMS}?limit=2`, { Accept: '*/*', 'Accept-Language': 'en;q=0.1, fr;q=0.2' }, 'GET'],
      [`${ITEMS}?limit=2`, { Accept: 'application/json;q=0.9,text/html;q=0.8' }, 'GET'],
      [`${ITEMS}?limit=2`, { 'If-None-Match': `W/"x", ${etag}` }, 'GET'],
      [`${ITEMS}?limit=2`, { 'If-None-Match': etag.replace('W/', '') }, 'HEAD'],
      [`${ITEMS}?limit=50`, { 'Accept-Encoding': 'gzip' }, 'HEAD'],
      [`${ITEMS}?limit=2`, { 'Accept-Encoding': 'gzip', 'If-None-Match': etag }, 'GET'],
      [`${ITEMS}?&limit=02&`, {}, 'GET'],
      [`${ITEMS}?limit=2&properties=commune,+section`, {}, 'GET'],
      [`${ITEMS}?limit=2&commune=R%C3%A9nnes+x`, {}, 'GET'],
      [`${ITEMS}?limit=2&commune=%E9%zz`, {}, 'GET'],
      [`${ITEMS}?limit=2&__proto__=x`, {}, 'GET'],
    ] as const) {
      const answer = await same(path, { headers, method });
      expect(answer.body.toString()).not.toContain('evil.example');
    }
  });

  it('counts lean answers in the request metric under the route pattern and method', async () => {
    const { lean, same } = both;
    // The generic path counts under the same labels: only the count a lean answer adds proves it counted.
    const count = async (method: string) => {
      const metrics = await (await fetch(`${lean.url}/metrics`)).text();
      const line = `websig_http_request_duration_seconds_count{method="${method}",route="/ogc/collections/:collectionId/items",status="200"} `;
      const at = metrics.indexOf(line);
      return at === -1 ? 0 : Number.parseInt(metrics.slice(at + line.length), 10);
    };
    for (const method of ['GET', 'HEAD']) {
      await same(`${ITEMS}?limit=2`, { method });
      const before = await count(method);
      // same() asks the lean server twice, both answered lean now that it met these headers.
      expect((await same(`${ITEMS}?limit=2`, { method })).path).toBe('lean');
      expect(await count(method)).toBe(before + 2);
      // The generic route counts under the same labels: a label the lean path spelled apart would not add up.
      expect((await same(`${ITEMS}?limit=2`, { method, headers: { Cookie: 'websig-rw=1' } })).path).toBe('generic');
      expect(await count(method)).toBe(before + 4);
    }
  });

  it('leaves errors, HTML, several pages, cookies and odd spellings to the generic path, with its answers', async () => {
    const { same } = both;
    for (const [path, status] of [
      [`${ITEMS}?limit=0`, 400],
      [`${ITEMS}?foo=bar`, 400],
      [`${ITEMS}?bbox=-1.8,48.2,-2.1,48.0`, 400],
      [`${ITEMS}?limit=1&limit=2`, 400],
      [`${ITEMS}?f=xml`, 400],
      [`${ITEMS}?limit=3&offset=3&after=5`, 400],
      ['/ogc/collections/nope/items', 404],
    ] as const) {
      const answer = await same(path);
      expect(answer.status).toBe(status);
      // Taken by the lean path, then handed to the route, which answers the error as its own.
      expect(answer.path).toBe('generic');
      expect(JSON.parse(answer.body.toString())).toMatchObject({ code: expect.any(String), description: expect.any(String) });
    }
    for (const [path, init] of [
      [`${ITEMS}?limit=2&f=html`, {}],
      [`${ITEMS}?limit=2`, { headers: { Accept: 'text/html' } }],
      [`${ITEMS}?limit=1001`, {}],
      [`/OGC/collections/parcels/items?limit=2`, {}],
      [`${ITEMS}/?limit=2`, {}],
      [`${ITEMS}?limit=2`, { headers: { Cookie: 'websig-rw=1' } }],
    ] as const) {
      const answer = await same(path, init);
      expect(answer.status).toBe(200);
      expect(answer.path).toBe('generic');
    }
  });
});

describe('the lean items path behind a trusted proxy', () => {
  it('answers what the route answers, links and HSTS from the forwarded protocol', async () => {
    const db = await openTestDatabase();
    const both = await pair(db, { TRUST_PROXY_HOPS: '1' });
    try {
      for (const proto of ['https', 'http', 'https, http', 'HTTPS']) {
        const answer = await both.same(`${ITEMS}?bbox=${BBOX}&limit=5`, { headers: { 'X-Forwarded-Proto': proto } });
        expect(answer.path).toBe('lean');
        if (/^https/i.test(proto)) {
          expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
          expect(answer.body.toString()).toContain('"href":"https://websig.test:8080/ogc/');
        }
      }
      expect((await both.same(`${ITEMS}?limit=5`, { headers: { 'X-Forwarded-Host': 'example.org' } })).path).toBe('generic');
    } finally {
      await both.close();
      await db.close();
    }
  }, 120_000);

  it('answers as the route with PUBLIC_BASE_URL set: links from it, no private Cache-Control', async () => {
    const db = await openTestDatabase();
    const both = await pair(db, { PUBLIC_BASE_URL: 'https://sig.example.org' });
    try {
      const answer = await both.same(`${ITEMS}?bbox=${BBOX}&limit=5`);
      expect(answer.path).toBe('lean');
      expect(answer.headers['cache-control']).toBeUndefined();
      expect(answer.body.toString()).toContain('"href":"https://sig.example.org/ogc/');
    } finally {
      await both.close();
      await db.close();
    }
  }, 120_000);
});

describe('the lean items path with read replicas', () => {
  it('reads a cookieless page within one replica scope, and leaves a client that just wrote to the primary', async () => {
    const db = await openTestDatabase();
    // The replica scope each public read ran in: false for one replica, true for the primary, undefined outside any.
    const scopes = new AsyncLocalStorage<boolean>();
    const readIn: (boolean | undefined)[] = [];
    const reads: Database = {
      ...db,
      query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) => {
        readIn.push(scopes.getStore());
        return db.query<R>(text, params, name);
      },
    };
    const readRouter = {
      reads, hasReplicas: true, scope: <T>(primaryOnly: boolean, fn: () => Promise<T>) => scopes.run(primaryOnly, fn),
      status: () => [], probe: async () => undefined, close: async () => undefined,
    } satisfies ReadRouter;
    const server = await startTestServer({ db, readRouter });
    const contexts = countKoaContexts(server);
    try {
      // The route meets this Accept and Accept-Language first: the next request is the lean path's.
      await ask(server, `${ITEMS}?limit=2`, {});
      for (const [headers, primaryOnly, path] of [[{}, false, 'lean'], [{ Cookie: 'websig-rw=1' }, true, 'generic']] as const) {
        readIn.length = 0;
        const before = contexts();
        expect((await ask(server, `${ITEMS}?limit=3&offset=1`, { headers })).status).toBe(200);
        expect(contexts() === before ? 'lean' : 'generic').toBe(path);
        expect(readIn.length).toBeGreaterThan(0);
        expect(readIn.every((scope) => scope === primaryOnly)).toBe(true);
      }
    } finally {
      await server.close();
      await db.close();
    }
  }, 120_000);
});
