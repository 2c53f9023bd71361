// Security headers and absolute links: CSP (with the basemap hosts, blob: workers and the configured
// frame-ancestors) on HTML, API and tiles; HSTS only over HTTPS; PUBLIC_BASE_URL for links, Host
// only as a fallback and then never in a shared cache; request ids; metrics that count a thrown
// error under the status it was answered with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASEMAP_TILE_ORIGINS } from '../core/basemap-origins.ts';
import { privateCacheControl } from '../server/http/security-headers.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { tileAt, tilePath } from './helpers/tile-golden.ts';

const directives = (csp: string | null) =>
  new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

describe('security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY_HOPS: '1', FRAME_ANCESTORS: 'https://partenaire.example.fr' } });
  });
  afterAll(async () => server?.close());

  it('sends the same CSP on the map page, an API answer and a tile', async () => {
    const tile = tilePath('zone_lots', tileAt(-1.9614, 48.1266, 14));
    for (const path of ['/', '/layers', tile, '/nothing-here']) {
      const res = await fetch(server.url + path);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('default-src'), path).toEqual(["'self'"]);
      expect(csp.get('script-src'), path).toEqual(["'self'"]);
      expect(csp.get('worker-src'), path).toEqual(["'self'", 'blob:']);
      expect(csp.get('img-src'), path).toEqual(["'self'", 'data:', 'blob:', ...BASEMAP_TILE_ORIGINS]);
      expect(csp.get('connect-src'), path).toEqual(["'self'", ...BASEMAP_TILE_ORIGINS]);
      expect(csp.get('object-src'), path).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors'), path).toEqual(['https://partenaire.example.fr']);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('sends HSTS over HTTPS (as a trusted proxy reports it) and not over plain HTTP', async () => {
    expect((await fetch(server.url + '/layers')).headers.get('strict-transport-security')).toBeNull();
    const secure = await fetch(server.url + '/layers', { headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
  });

  it('builds links from Host when no public base URL is set, and keeps such answers out of shared caches', async () => {
    const res = await fetch(`${server.url}/tiles/wifi_hotspots.json`, { headers: { 'x-forwarded-host': 'evil.example' } });
    const tj = (await res.json()) as { tiles: string[] };
    expect(tj.tiles[0]).toMatch(/^http:\/\/evil\.example\/tiles\//);
    expect(res.headers.get('cache-control')).toMatch(/^private\b/);
    const ogc = await fetch(`${server.url}/ogc/collections?f=json`);
    expect(ogc.headers.get('cache-control')).toMatch(/^private\b/);
  });

  it('builds every absolute link from PUBLIC_BASE_URL when set, whatever Host says, and lets caches share them', async () => {
    const configured = await startTestServer({ db: server.db, env: { TRUST_PROXY_HOPS: '1', PUBLIC_BASE_URL: 'https://sig.montfort.example/' } });
    try {
      const headers = { 'x-forwarded-host': 'evil.example' };
      const tj = await fetch(`${configured.url}/tiles/wifi_hotspots.json`, { headers });
      expect(((await tj.json()) as { tiles: string[] }).tiles[0]).toMatch(/^https:\/\/sig\.montfort\.example\/tiles\/wifi_hotspots\//);
      expect(tj.headers.get('cache-control')).toMatch(/^public\b/);
      const items = await fetch(`${configured.url}/ogc/collections/wifi_hotspots/items?limit=1&f=json`, { headers });
      const links = ((await items.json()) as { links: { href: string }[] }).links;
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link.href).toMatch(/^https:\/\/sig\.montfort\.example\//);
      const page = await fetch(`${configured.url}/downloads?f=json`, { headers });
      expect(await page.text()).not.toContain('evil.example');
    } finally {
      await configured.close();
    }
  });

  it('makes a Cache-Control value private without losing its other directives', () => {
    expect(privateCacheControl('public, max-age=60')).toBe('private, max-age=60');
    expect(privateCacheControl('public, no-cache')).toBe('private, no-cache');
    expect(privateCacheControl('no-store')).toBe('no-store');
    expect(privateCacheControl('max-age=60, s-maxage=600')).toBe('private, max-age=60');
  });

  it('answers every request with an X-Request-Id, keeping a proxy’s plain one and replacing anything else', async () => {
    expect((await fetch(server.url + '/layers')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(server.url + '/layers', { headers: { 'x-request-id': 'lb-1234.abc' } })).headers.get('x-request-id')).toBe('lb-1234.abc');
    expect((await fetch(server.url + '/layers', { headers: { 'x-request-id': 'a b<script>' } })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts a thrown 400 and a thrown 404 under their real status in the metrics', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/ogc/collections/wifi_hotspots/items?limit=abc`)).status).toBe(400);
    expect((await fetch(`${server.url}/ogc/collections/nope/items`)).status).toBe(404);
    const text = await (await fetch(server.url + '/metrics')).text();
    expect(text).toMatch(/websig_http_request_duration_seconds_count\{method="GET",route="\/ogc\/collections\/:collectionId\/items",status="400"\} 3\n/);
    expect(text).toMatch(/websig_http_request_duration_seconds_count\{method="GET",route="\/ogc\/collections\/:collectionId\/items",status="404"\} 1\n/);
  });
});
