// The OGC API's pure parts, without a database: parameter parsers, SQL clause builders, paging
// links and the OpenAPI document's agreement with what the handlers accept.
import { describe, expect, it } from 'vitest';
import { ClientError } from '../server/http/errors.ts';
import { ALL_LAYERS } from '../core/layers/registry.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { CRS84, SUPPORTED_CRS, findCrs } from '../server/features/ogc-crs.ts';
import {
  MAX_LIMIT, parseBboxParam, parseDatetime, parseFormat, parseLimit, parseOffset, parsePropertyFilters, parsePropertyList,
} from '../server/features/ogc-params.ts';
import { rejectUnknownParameters } from '../server/http/params.ts';
import { checkQueryableNames, itemsParameterNames, parseFeatureQuery } from '../server/features/ogc-query.ts';
import {
  Params, bboxCondition, datetimeCondition, featurePageSql, prepareLayerSql, propertyCondition, type LayerSql, type PageStart,
} from '../server/features/feature-sql.ts';
import { pageLinks, type DocContext } from '../server/features/ogc-documents.ts';
import { buildOpenApi } from '../server/features/openapi.ts';
import { numberMatched, planNumberMatched } from '../server/features/number-matched.ts';
import { openDataTerms } from '../server/downloads/open-data.ts';
import { loadConfig } from '../core/config.ts';

const layer = (id: string) => ALL_LAYERS.find((l) => l.id === id)!;
const sqlOf = (id: string) => prepareLayerSql(layer(id));
const EPSG4326 = findCrs('http://www.opengis.net/def/crs/EPSG/0/4326')!;
const EPSG2154 = findCrs('http://www.opengis.net/def/crs/EPSG/0/2154')!;
const crs84 = findCrs(CRS84)!;

/** The error a function throws, for assertions on its status and message. */
function thrown(fn: () => unknown): ClientError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    return error as ClientError;
  }
  throw new Error('expected a ClientError');
}

describe('OGC API parameter parsers', () => {
  it('defaults limit to 100, clamps it to 10,000 and refuses zero, negative and non-integer values', () => {
    expect(parseLimit(undefined)).toBe(100);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('10000')).toBe(MAX_LIMIT);
    expect(parseLimit('10001')).toBe(MAX_LIMIT);
    expect(parseLimit('99999999999999999999')).toBe(MAX_LIMIT);
    for (const bad of ['0', '00', '-1', '1.5', '1e3', 'abc', '', ' 5', '+5']) {
      expect(thrown(() => parseLimit(bad)).status, bad).toBe(400);
    }
  });

  it('accepts a non-negative integer offset and refuses anything else', () => {
    expect(parseOffset(undefined)).toBe(0);
    expect(parseOffset('0')).toBe(0);
    expect(parseOffset('250')).toBe(250);
    for (const bad of ['-1', '2.5', 'x', '1234567890123456']) expect(thrown(() => parseOffset(bad)).status, bad).toBe(400);
  });

  it('reads a CRS84 bbox as lon,lat and an EPSG:4326 bbox as lat,lon', () => {
    expect(parseBboxParam('-2.1,48.0,-1.8,48.2', crs84)).toEqual({ minX: -2.1, minY: 48, maxX: -1.8, maxY: 48.2, srid: 4326 });
    expect(parseBboxParam('48.0,-2.1,48.2,-1.8', EPSG4326)).toEqual({ minX: -2.1, minY: 48, maxX: -1.8, maxY: 48.2, srid: 4326 });
  });

  it('ignores the heights of a six-number bbox', () => {
    expect(parseBboxParam('-2.1,48.0,0,-1.8,48.2,100', crs84)).toEqual({ minX: -2.1, minY: 48, maxX: -1.8, maxY: 48.2, srid: 4326 });
  });

  it('refuses an inverted bbox, a malformed one and one outside the CRS range', () => {
    for (const bad of ['-1.8,48,-2.1,48.2', '-2,48.2,-1.8,48', '1,2,3', '1,2,3,4,5', 'a,b,c,d', '1,,3,4', '-200,0,0,10', '0,-95,1,1']) {
      expect(thrown(() => parseBboxParam(bad, crs84)).status, bad).toBe(400);
    }
    expect(thrown(() => parseBboxParam('0,-200,1,1', EPSG4326)).status).toBe(400);
  });

  it('accepts a zero-area bbox, which is a point or a line, not an error', () => {
    expect(parseBboxParam('-1.9,48.1,-1.9,48.1', crs84)).toMatchObject({ minX: -1.9, maxX: -1.9 });
  });

  it('clips a Lambert-93 bbox to where the projection is valid, and matches nothing wholly outside it', () => {
    expect(parseBboxParam('300000,6700000,400000,6800000', EPSG2154)).toMatchObject({ srid: 2154, minX: 300000, maxY: 6800000 });
    expect(parseBboxParam('-1e30,-1e30,1e30,1e30', EPSG2154)).toMatchObject({ minX: -500000, maxX: 1400000 });
    expect(parseBboxParam('1e20,1e20,2e20,2e20', EPSG2154)).toBe('nothing');
  });

  it('parses datetime instants, closed and open intervals, and refuses the rest', () => {
    expect(parseDatetime('2024-03-01')).toEqual({ start: { kind: 'date', value: '2024-03-01' }, end: { kind: 'date', value: '2024-03-01' } });
    expect(parseDatetime('2024-03-01T10:00:00+01:00').start).toEqual({ kind: 'datetime', value: '2024-03-01T09:00:00.000Z' });
    expect(parseDatetime('2024-01-01/2024-12-31T23:59:59Z')).toEqual({
      start: { kind: 'date', value: '2024-01-01' }, end: { kind: 'datetime', value: '2024-12-31T23:59:59.000Z' },
    });
    expect(parseDatetime('../2024-01-01')).toEqual({ end: { kind: 'date', value: '2024-01-01' } });
    expect(parseDatetime('2024-01-01/')).toEqual({ start: { kind: 'date', value: '2024-01-01' } });
    expect(parseDatetime('../..')).toEqual({});
    for (const bad of ['2024-02-30', '2024-13-01', '2024-01-01T25:00:00Z', '2024-01-01T10:00:00', 'yesterday', '..', 'a/b/c',
      '2024-02-01/2024-01-01', '']) {
      expect(thrown(() => parseDatetime(bad)).status, bad).toBe(400);
    }
  });

  it('checks each property filter against the property type', () => {
    const fibre = sqlOf('fibre_phases');
    expect(parsePropertyFilters({ status: 'deployed', phase: '2' }, fibre.queryables).map((f) => [f.property.name, f.value]))
      .toEqual([['phase', '2'], ['status', 'deployed']]);
    expect(thrown(() => parsePropertyFilters({ phase: 'two' }, fibre.queryables)).message).toMatch(/phase must be an integer/);
    expect(thrown(() => parsePropertyFilters({ status: ['a', 'b'] }, fibre.queryables)).message).toMatch(/given 2 times/);
    expect(thrown(() => parsePropertyFilters({ status: 'x'.repeat(501) }, fibre.queryables)).status).toBe(400);
  });

  it('lets properties= choose among the public properties only', () => {
    const incidents = sqlOf('incidents');
    expect(parsePropertyList('status, service_code,status', incidents.propertyNames)).toEqual(['status', 'service_code']);
    expect(parsePropertyList('', incidents.propertyNames)).toEqual([]);
    expect(thrown(() => parsePropertyList('reporter_email', incidents.propertyNames)).status).toBe(400);
    expect(parsePropertyList('id,commune', sqlOf('parcels').propertyNames)).toEqual(['id', 'commune']);
  });

  it('negotiates HTML only when asked by f=html or preferred by the Accept header', () => {
    expect(parseFormat('html', () => false)).toBe('html');
    expect(parseFormat(undefined, () => 'text/html')).toBe('html');
    expect(parseFormat(undefined, () => 'application/json')).toBe('json');
    expect(parseFormat(undefined, () => false)).toBe('json');
    expect(thrown(() => parseFormat('xml', () => false)).status).toBe(400);
  });

  it('refuses parameters the endpoint does not define, naming the ones it does', () => {
    expect(thrown(() => rejectUnknownParameters({ foo: '1' }, new Set(['f']))).message).toMatch(/unknown parameter "foo".*accepts: f/);
    expect(thrown(() => rejectUnknownParameters({ f: 'json' }, new Set())).message).toMatch(/takes no parameters/);
  });

  it('offers datetime only on layers with a date, and filters only on queryable properties', () => {
    expect(itemsParameterNames(sqlOf('incidents'))).toContain('datetime');
    expect(itemsParameterNames(sqlOf('parcels'))).not.toContain('datetime');
    expect(itemsParameterNames(sqlOf('incidents'))).not.toContain('description');
    expect(thrown(() => parseFeatureQuery({ datetime: '2024-01-01' }, sqlOf('parcels'))).status).toBe(400);
    expect(thrown(() => parseFeatureQuery({ 'bbox-crs': 'EPSG:2154' }, sqlOf('parcels'))).message).toMatch(/bbox-crs must be one of/);
  });

  it('refuses at start-up a queryable property named like a standard parameter', () => {
    const parcels = layer('parcels');
    const bad: LayerDef = { ...parcels, properties: [...parcels.properties, { ...parcels.properties[0]!, name: 'limit', queryable: true }] };
    expect(() => checkQueryableNames(prepareLayerSql(bad))).toThrow(/shadows an OGC API parameter/);
  });
});

describe('feature SQL builders', () => {
  it('binds every bbox coordinate and lets a zero-area box become a point', () => {
    const p = new Params();
    const sql = bboxCondition({ minX: -1.9, minY: 48.1, maxX: -1.9, maxY: 48.1, srid: 4326 }, p);
    expect(sql).toMatch(/ST_Intersects\(t\.geom, \(SELECT ST_SetSRID\(ST_MakeBox2D/);
    expect(sql).not.toMatch(/48\.1|1\.9/);
    expect(p.values).toEqual([-1.9, 48.1, -1.9, 48.1]);
  });

  it('densifies a Lambert-93 bbox before transforming it to the storage CRS', () => {
    const p = new Params();
    const sql = bboxCondition({ minX: 300000, minY: 6700000, maxX: 316000, maxY: 6708000, srid: 2154 }, p);
    expect(sql).toMatch(/ST_Transform\(ST_Segmentize\(.*2154\), \$5::float8\), 4326\)/s);
    expect(p.values[4]).toBe(1000);
  });

  it('makes a date bound cover its whole UTC day on a date-time property', () => {
    const p = new Params();
    const sql = datetimeCondition('t.x', 'datetime', parseDatetime('2024-03-01'), p);
    expect(sql).toBe('t.x >= $1::timestamptz AND t.x < $2::timestamptz');
    expect(p.values).toEqual(['2024-03-01T00:00:00.000Z', '2024-03-02T00:00:00.000Z']);
  });

  it('compares a date property by days, whatever the bound kind', () => {
    const p = new Params();
    expect(datetimeCondition('t.d', 'date', parseDatetime('2024-01-01T23:00:00-02:00/..'), p)).toBe('t.d >= $1::date');
    expect(p.values).toEqual(['2024-01-02']);
    expect(datetimeCondition('t.d', 'date', {}, new Params())).toBe('t.d IS NOT NULL');
  });

  it('casts each property filter to its column type and tests list membership for text lists', () => {
    const addresses = layer('addresses');
    const prop = (name: string) => addresses.properties.find((x) => x.name === name)!;
    const p = new Params();
    expect(propertyCondition('t."numero"', { property: prop('numero'), value: '12' }, p)).toBe('t."numero" = $1::bigint');
    expect(propertyCondition('t."cad_parcelles"', { property: prop('cad_parcelles'), value: 'x' }, p)).toBe('$2 = ANY(t."cad_parcelles")');
  });

  it('never puts a request value into SQL text, and keeps unpublished incidents out of every page', () => {
    const incidents = sqlOf('incidents');
    const q = parseFeatureQuery({ status: "x'; DROP TABLE incidents; --", bbox: '-2,48,-1,49', datetime: '2024-01-01/..', limit: '5000', offset: '7' }, incidents);
    for (const { text, values } of [featurePageSql(incidents, q, { size: 1000, start: { offset: 7 }, count: true }),
      featurePageSql(incidents, q, { size: 1000, start: { after: 42 } }), featurePageSql(incidents, q, { size: 1000, start: { before: 42 } })]) {
      expect(text).not.toMatch(/DROP TABLE|2024-01-01/);
      expect(values).toContain("x'; DROP TABLE incidents; --");
      expect(text).toMatch(/t\."published"/);
      expect(text).not.toMatch(/reporter_/);
    }
  });
});

describe('paging links', () => {
  const c: DocContext = { origin: 'https://sig.example.fr', lang: 'fr', terms: openDataTerms(loadConfig({})) };
  /** The links of a page that started at `start` and sent ids first..last (null: none), `more` beyond. */
  const links = (start: PageStart, first: number | null, last: number | null, more: boolean, limit = 10) => pageLinks({
    url: 'https://sig.example.fr/ogc/collections/parcels/items', params: new URLSearchParams('bbox=1,2,3,4&limit=50000&offset=3'),
    format: 'json', limit, start, tally: { returned: first === null ? 0 : 10, first, last, more },
  }, c, 'https://sig.example.fr/ogc/collections/parcels');
  const rel = (ls: ReturnType<typeof links>, r: string) => ls.find((l) => l.rel === r);
  const paramsOf = (ls: ReturnType<typeof links>, r: string) => Object.fromEntries(new URL(rel(ls, r)!.href).searchParams);

  it('gives a next link after the last id sent (keyset) while more features match, keeping the other parameters', () => {
    const first = links({ offset: 0 }, 11, 40, true);
    expect(paramsOf(first, 'next')).toEqual({ bbox: '1,2,3,4', limit: '10', after: '40', f: 'json' });
    expect(rel(first, 'prev')).toBeUndefined();
    expect(paramsOf(first, 'self')).toMatchObject({ offset: '0', limit: '10' });
    expect(rel(links({ offset: 0 }, 11, 40, false), 'next')).toBeUndefined();
    expect(rel(links({ offset: 0 }, null, null, false), 'next')).toBeUndefined();
    expect(paramsOf(links({ offset: 30 }, 11, 40, true), 'next')).toMatchObject({ after: '40' });
  });

  it('gives an offset page an offset prev link, and a keyset page a prev link ending before its first id', () => {
    expect(paramsOf(links({ offset: 20 }, 11, 40, false), 'prev')).toMatchObject({ offset: '10' });
    expect(paramsOf(links({ offset: 3 }, 11, 40, false), 'prev')).toMatchObject({ offset: '0' });
    const keyset = links({ after: 10 }, 11, 40, true);
    expect(paramsOf(keyset, 'prev')).toEqual({ bbox: '1,2,3,4', limit: '10', before: '11', f: 'json' });
    expect(paramsOf(keyset, 'self')).toMatchObject({ after: '10' });
    // Past the end: the previous page is the one that ends with the feature the request started after.
    expect(paramsOf(links({ after: 90 }, null, null, false), 'prev')).toMatchObject({ before: '91' });
  });

  it('gives a page read backwards a next link after its last id, and a prev link only while features remain before it', () => {
    const back = links({ before: 41 }, 31, 40, true);
    expect(paramsOf(back, 'next')).toMatchObject({ after: '40' });
    expect(paramsOf(back, 'prev')).toMatchObject({ before: '31' });
    expect(rel(links({ before: 41 }, 1, 40, false), 'prev')).toBeUndefined();
    expect(paramsOf(links({ before: 5 }, null, null, false), 'next')).toMatchObject({ after: '4' });
  });

  it('gives every link a rel and a media type, self in the format served', () => {
    const all = links({ offset: 10 }, 11, 20, true);
    for (const l of all) expect(l.type).toBeTruthy();
    expect(rel(all, 'self')!.type).toBe('application/geo+json');
    expect(rel(all, 'alternate')!.type).toBe('text/html');
    expect(rel(all, 'collection')!.href).toBe('https://sig.example.fr/ogc/collections/parcels?f=json');
  });
});

describe('OpenAPI definition', () => {
  const collections: LayerSql[] = ALL_LAYERS.filter((l) => l.public).map(prepareLayerSql);
  const doc = buildOpenApi(collections, 'https://sig.example.fr', 'fr', 'test') as {
    openapi: string; servers: { url: string }[]; paths: Record<string, { get?: { parameters?: ({ name?: string; $ref?: string })[] } }>;
    components: { parameters: Record<string, { name: string }> };
  };
  const names = (params: ({ name?: string; $ref?: string })[] = []) =>
    params.map((p) => p.name ?? doc.components.parameters[p.$ref!.split('/').pop()!]!.name);

  it('is OpenAPI 3.0 served from /ogc', () => {
    expect(doc.openapi).toMatch(/^3\.0\./);
    expect(doc.servers[0]!.url).toBe('https://sig.example.fr/ogc');
  });

  it('lists for each collection exactly the item parameters the server accepts', () => {
    for (const ls of collections) {
      const items = doc.paths[`/collections/${ls.layer.id}/items`]!.get!;
      expect(names(items.parameters).sort(), ls.layer.id).toEqual(itemsParameterNames(ls).sort());
      expect(names(doc.paths[`/collections/${ls.layer.id}/items/{featureId}`]!.get!.parameters).sort()).toEqual(['crs', 'f', 'featureId', 'properties']);
    }
  });

  it('describes every route of the API and the downloads, and every $ref resolves', () => {
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/', '/api', '/conformance', '/collections', '/collections/parcels/queryables', '/downloads/parcels.gpkg']));
    expect(paths).not.toContain('/collections/incidents/items/{featureId}/x');
    const refs = JSON.stringify(doc).match(/"#\/components\/[^"]+"/g) ?? [];
    for (const ref of refs) {
      const target = ref.slice(3, -1).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it('offers the three CRSs for crs and bbox-crs, CRS84 first', () => {
    expect(SUPPORTED_CRS.map((c) => c.uri)).toEqual([CRS84, EPSG4326.uri, EPSG2154.uri]);
  });
});

describe('numberMatched policy', () => {
  const parcels = sqlOf('parcels');
  const query = (raw: Record<string, string>) => parseFeatureQuery(raw, parcels);
  const tally = (returned: number, more: boolean) => ({ returned, first: returned ? 1 : null, last: returned || null, more });

  it('takes the layer count for a query without filters, zero for a bbox outside its CRS, and counts small layers only', () => {
    const max = 10_000;
    expect(planNumberMatched(query({}), 200_000, max)).toEqual({ known: 200_000 });
    expect(planNumberMatched(query({ limit: '5', offset: '10' }), 200_000, max)).toEqual({ known: 200_000 });
    expect(planNumberMatched(query({ bbox: '1e20,1e20,2e20,2e20', 'bbox-crs': EPSG2154.uri }), 200_000, max)).toEqual({ known: 0 });
    expect(planNumberMatched(query({ bbox: '-2,48,-1.9,48.1' }), max, max)).toBe('count');
    expect(planNumberMatched(query({ bbox: '-2,48,-1.9,48.1' }), max + 1, max)).toBe('none');
    expect(planNumberMatched(query({ commune: '35188' }), 200_000, max)).toBe('none');
    expect(planNumberMatched(query({ commune: '35188' }), 3, 0)).toBe('none');
  });

  it('knows an uncounted total only on the last page of offset paging', () => {
    expect(numberMatched('none', undefined, { offset: 0 }, tally(7, false))).toBe(7);
    expect(numberMatched('none', undefined, { offset: 20 }, tally(7, false))).toBe(27);
    expect(numberMatched('none', undefined, { offset: 0 }, tally(0, false))).toBe(0);
    expect(numberMatched('none', undefined, { offset: 0 }, tally(10, true))).toBeUndefined();
    // Past the end, the offset says nothing of how many there were.
    expect(numberMatched('none', undefined, { offset: 500 }, tally(0, false))).toBeUndefined();
    expect(numberMatched('none', undefined, { after: 40 }, tally(7, false))).toBeUndefined();
    expect(numberMatched('count', 123, { after: 40 }, tally(7, false))).toBe(123);
    expect(numberMatched({ known: 9 }, undefined, { before: 4 }, tally(3, false))).toBe(9);
  });

  it('refuses a page that says where it starts twice, or a key that is not an integer', () => {
    const bad: Record<string, string>[] = [{ offset: '10', after: '3' }, { after: '3', before: '9' }, { after: '1.5' }, { before: 'x' }, { after: '' }];
    for (const raw of bad) {
      expect(thrown(() => query(raw)).status, JSON.stringify(raw)).toBe(400);
    }
    expect(query({ after: '-3' }).after).toBe(-3);
    expect(query({ before: '12', offset: '0' }).before).toBe(12);
  });
});
