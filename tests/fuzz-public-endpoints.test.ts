// Property-based fuzzing (fast-check) of every public endpoint: adversarial strings, unicode, huge and
// non-finite numbers, malformed percent-escapes, nested JSON. Invariant: never a 5xx, a JSON
// {code, description} with every 4xx, an answer within a bound (no hang), and a refused login
// changes nothing in the database. Runs are bounded (FUZZ_RUNS, default 100 per endpoint).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
/** Longest an answer may take before the request counts as hung (the machine may be loaded). */
const HANG_MS = 20_000;

/** Values that broke parsers elsewhere: non-finite and huge numbers, escapes, injections, paths. */
const NASTY = [
  'NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '1e-400', '-0', '0x1F', '0b1', '1_000', '  1  ', '١٢٣', '9'.repeat(400),
  '', ' ', '%', '%%', '%ZZ', '%00', '\u0000', '\uFEFF', '\u202E', "' OR 1=1 --", '"; DROP TABLE users; --', '$1', '::text',
  '../../etc/passwd', '..%2F..%2F', '<script>alert(1)</script>', '{}', '[]', 'null', 'true', '[1,2', ',,,,', '1,2,3,4,5',
  '-180,-90,180,90', '180,90,-180,-90', '0,0,0,0', 'NaN,NaN,NaN,NaN', '1e309,0,1,1', 'a'.repeat(5000), '🗺️'.repeat(50),
  'Zoë', 'ÉCOLE', 'rue de l’Église', '2001:db8::1', '2147483648', '-2147483649', '9223372036854775808', '0.1.2',
];

const text = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.bigInt().map(String),
  fc.array(fc.double(), { maxLength: 6 }).map((a) => a.join(',')),
);

/** Percent-encodes a generated value; the few a URL cannot carry (lone surrogates) are sent raw-escaped. */
function component(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return escape(value);
  }
}

/** Either encoded or, for a share of the cases, raw: malformed escapes must reach the server as sent. */
const segment = fc.oneof(
  text.map(component),
  fc.constantFrom('%', '%E0%A4%A', '%C0%AF', '%FF', '..', '.', '%2e%2e', '%00'),
);

const query = (names: readonly string[]) =>
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), text), text), { maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${component(k)}=${component(v)}`).join('&'));

describe('fuzzing the public endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  /** Sends one request and checks the invariant; returns the status for the caller's own checks. */
  async function sane(path: string, init: RequestInit = {}): Promise<number> {
    const res = await fetch(server.url + path, { ...init, signal: AbortSignal.timeout(HANG_MS) });
    const body = await res.arrayBuffer();
    expect(res.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers.get('content-type'), `${path} → ${res.status}`).toMatch(/json/);
      const reason = JSON.parse(Buffer.from(body).toString('utf8')) as { code?: unknown; description?: unknown };
      expect(typeof reason.code, `${path} → ${res.status}`).toBe('string');
      expect(typeof reason.description, `${path} → ${res.status}`).toBe('string');
    }
    return res.status;
  }

  const layers = fc.oneof(
    fc.constantFrom('zone_lots', 'fibre_phases', 'parcels', 'wifi_hotspots', 'incidents', 'users', 'zone_lots,parcels', 'zone_lots,,x'),
    segment,
  );
  const number = fc.oneof(fc.integer({ min: -5, max: 1 << 22 }).map(String), segment);

  it('tiles: any layers, z, x and y', async () => {
    await fc.assert(fc.asyncProperty(layers, number, number, number, async (l, z, x, y) => {
      await sane(`/tiles/${l}/${z}/${x}/${y}.mvt`);
    }), { numRuns: RUNS });
  });

  it('TileJSON: any layer list', async () => {
    await fc.assert(fc.asyncProperty(layers, async (l) => {
      await sane(`/tiles/${l}.json`);
    }), { numRuns: RUNS });
  });

  it('OGC items: any collection, bbox, limit, offset, datetime, crs and property filters', async () => {
    const names = ['bbox', 'limit', 'offset', 'datetime', 'f', 'crs', 'bbox-crs', 'status', 'commune', 'kind', 'name', 'properties', 'sortby'];
    const collection = fc.oneof(fc.constantFrom('wifi_hotspots', 'fibre_phases', 'zone_lots', 'business_zones', 'addresses'), segment);
    await fc.assert(fc.asyncProperty(collection, query(names), async (c, q) => {
      await sane(`/ogc/collections/${c}/items?${q}`, { headers: { accept: 'application/geo+json' } });
    }), { numRuns: RUNS });
  });

  it('OGC single items: any collection and feature id', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('wifi_hotspots', 'addresses', 'parcels', 'zone_lots'), segment, async (c, id) => {
      await sane(`/ogc/collections/${c}/items/${id}?f=json`);
    }), { numRuns: RUNS });
  });

  it('geocode and parcels: any query', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('/api/geocode', '/api/parcels'), query(['q', 'limit', 'lon', 'lat']), async (p, q) => {
      await sane(`${p}?${q}`);
    }), { numRuns: RUNS });
  });

  it('eligibility: any mix of lon, lat, address, parcel and lot', async () => {
    await fc.assert(fc.asyncProperty(query(['lon', 'lat', 'address', 'parcel', 'lot']), async (q) => {
      await sane(`/api/eligibility?${q}`);
    }), { numRuns: RUNS });
  });

  it('downloads: any file name and query', async () => {
    const file = fc.oneof(
      fc.tuple(fc.constantFrom('wifi_hotspots', 'fibre_phases', 'users', 'zone_lots'), fc.constantFrom('geojson', 'csv', 'gpkg', 'shp', 'json')).map(([l, e]) => `${l}.${e}`),
      segment,
    );
    await fc.assert(fc.asyncProperty(file, query(['crs', 'f', 'lang']), async (f, q) => {
      await sane(`/downloads/${f}?${q}`);
    }), { numRuns: Math.ceil(RUNS / 2) });
    await fc.assert(fc.asyncProperty(query(['f', 'lang']), async (q) => {
      await sane(`/downloads?${q}`);
    }), { numRuns: Math.ceil(RUNS / 2) });
  });

  it('zones and lots (public reads): any id and path', async () => {
    const path = fc.oneof(
      segment.map((id) => `/api/zones/${id}`),
      segment.map((id) => `/api/zones/${id}/lots`),
      segment.map((id) => `/api/zones/${id}/thd`),
      segment.map((id) => `/api/lots/${id}`),
      query(['commune', 'status', 'limit']).map((q) => `/api/zones?${q}`),
    );
    await fc.assert(fc.asyncProperty(path, async (p) => {
      await sane(p);
    }), { numRuns: RUNS });
  });

  it('login: any JSON body, deep nesting and malformed JSON, and a refused login changes nothing', async () => {
    const count = async () =>
      (await server.db.query<{ users: number; sessions: number }>('SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions')).rows[0];
    const before = await count();
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
      fc.record({ email: text, password: text }).map((v) => JSON.stringify(v)),
      fc.record({ email: fc.jsonValue(), password: fc.jsonValue() }).map((v) => JSON.stringify(v)),
      fc.constantFrom('[', '{"email":', '{"email":"a@b.c","password":"x"', '\u0000', '{"__proto__":{"admin":true}}',
        '['.repeat(5000) + ']'.repeat(5000), `{"email":"${'a'.repeat(20_000)}@x.fr","password":"p"}`),
      text,
    );
    const type = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1');
    await fc.assert(fc.asyncProperty(body, type, async (b, t) => {
      const status = await sane('/api/auth/login', { method: 'POST', headers: { 'content-type': t }, body: b });
      expect(status).not.toBe(200);
    }), { numRuns: RUNS });
    expect(await count()).toEqual(before);
  });
});
