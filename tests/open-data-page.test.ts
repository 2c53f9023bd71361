// The open-data page /downloads on the real app and database: HTML for people, JSON for machines and
// a DCAT-AP catalogue (JSON-LD), every public layer with working links, counts of the public rows, 304s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import { ident } from '../core/layers/layer-sql.ts';

const PUBLIC_LAYERS = ALL_LAYERS.filter((l) => l.public);
const PRIVATE_LAYERS = ALL_LAYERS.filter((l) => !l.public);
const PRIVATE_NAMES = ALL_LAYERS.flatMap((l) => l.properties.filter((p) => !p.public).map((p) => p.name));

interface JsonListing {
  layers: { id: string; count: number; lastUpdate: string | null; licence: { url: string }; formats: { href: string }[]; ogc: string }[];
}
interface Dataset {
  '@type': string;
  'dct:identifier': string;
  'dct:title': { '@language': string }[];
  'dcat:distribution': { 'dcat:downloadURL'?: { '@id': string }; 'dcat:accessURL': { '@id': string } }[];
}

describe('the open-data page', () => {
  let server: TestServer;
  const get = (path: string, init?: RequestInit) => fetch(server.url + path, init);
  const publicCount = async (id: string) => {
    const layer = ALL_LAYERS.find((l) => l.id === id)!;
    const published = layer.publishedColumn ? `t.${ident(layer.publishedColumn)}` : 'TRUE';
    const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(layer.id)} t WHERE ${published}`);
    return rows[0]!.n;
  };

  beforeAll(async () => {
    server = await startTestServer();
  }, 180_000);
  afterAll(async () => {
    await server?.close();
  });

  it('lists every public layer in French HTML, with a captioned table and working links', async () => {
    const res = await get('/downloads');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('vary')).toMatch(/Accept-Language/);
    const html = await res.text();
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain('<caption>');
    expect(html).toContain('scope="col"');
    for (const layer of PUBLIC_LAYERS) {
      expect(html).toContain(`/downloads/${layer.id}.geojson`);
      expect(html).toContain(`/downloads/${layer.id}.csv?crs=2154`);
      expect(html).toContain(`/ogc/collections/${layer.id}`);
    }
    for (const layer of PRIVATE_LAYERS) expect(html).not.toContain(`/downloads/${layer.id}.`);
    for (const name of PRIVATE_NAMES) expect(html).not.toContain(`>${name}<`);
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));
    const download = links.find((l) => l.endsWith('.csv'))!;
    const ogc = links.find((l) => /\/ogc\/collections\/\w+$/.test(l))!;
    expect((await fetch(download)).status).toBe(200);
    expect((await fetch(ogc)).status).toBe(200);
  });

  it('speaks English with ?lang=en or Accept-Language: en', async () => {
    for (const res of [await get('/downloads?lang=en'), await get('/downloads', { headers: { 'Accept-Language': 'en' } })]) {
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<html lang="en"');
    }
  });

  it('gives machines counts, last update, formats and licence, the counts those of the public rows', async () => {
    for (const path of ['/downloads?f=json', '/downloads']) {
      const res = await get(path, path === '/downloads' ? { headers: { Accept: 'application/json' } } : undefined);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as JsonListing;
      expect(doc.layers.map((l) => l.id).sort()).toEqual(PUBLIC_LAYERS.map((l) => l.id).sort());
      for (const entry of doc.layers) {
        expect(entry.count, entry.id).toBe(await publicCount(entry.id));
        expect(entry.licence.url).toMatch(/^https?:/);
        expect(entry.formats).toHaveLength(4);
        expect(entry.ogc).toMatch(new RegExp(`/ogc/collections/${entry.id}$`));
        if (entry.count > 0) expect(entry.lastUpdate).not.toBeNull();
      }
    }
  });

  it('is a DCAT-AP catalogue in JSON-LD, one dataset per public layer, every download URL answering', async () => {
    const res = await get('/downloads', { headers: { Accept: 'application/ld+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    const doc = JSON.parse(await res.text()) as { '@context': unknown; '@type': string; 'dcat:dataset': Dataset[] };
    expect(doc['@context']).toBeTruthy();
    expect(doc['@type']).toBe('dcat:Catalog');
    expect(doc['dcat:dataset'].map((d) => d['dct:identifier']).sort()).toEqual(PUBLIC_LAYERS.map((l) => l.id).sort());
    for (const dataset of doc['dcat:dataset']) {
      expect(dataset['@type']).toBe('dcat:Dataset');
      expect(dataset['dct:title'].map((t) => t['@language'])).toEqual(['fr', 'en']);
      const urls = dataset['dcat:distribution'].flatMap((d) => (d['dcat:downloadURL'] ? [d['dcat:downloadURL']['@id']] : []));
      expect(urls).toHaveLength(4);
      for (const url of urls) expect((await fetch(url)).status, url).toBe(200);
    }
    expect((await get('/downloads?f=jsonld')).headers.get('content-type')).toMatch(/^application\/ld\+json/);
  }, 120_000);

  it('answers 304 to its own ETag', async () => {
    const first = await get('/downloads?f=json');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await get('/downloads?f=json', { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  it('refuses an unknown format', async () => {
    expect((await get('/downloads?f=xml')).status).toBe(400);
  });
});
