// The import pipeline's pure parts, without a database: encodings, coordinate-system reading,
// value coercion, mapping profiles, geometry encoding, ring roles, CSV and zip helpers.
import { describe, expect, it } from 'vitest';
import type { Geometry } from 'geojson';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { createTextDecoder, parseEncodingName, resolveDbfEncoding } from '../data-import/sources/encoding.ts';
import { KNOWN_CRS, detectXySrid, identifyWkt, parseSrsOption, parseWkt, resolveSrs } from '../data-import/crs.ts';
import type { Queryable } from '../core/db/database.ts';
import { Invalid, coerceValue, parseDate } from '../data-import/coerce.ts';
import { isRealDate } from '../core/layers/property-values.ts';
import { MappingError, compileMapping, loadProfile, normaliseValue, validateProfile } from '../data-import/mapping.ts';
import { decodeWkb, encodeGeometry } from '../data-import/wkb.ts';
import { assemblePolygons } from '../data-import/sources/shp-reader.ts';
import { findGeometryColumns, sniffDelimiter } from '../data-import/sources/csv-source.ts';
import { chooseMember, datasetMembers } from '../data-import/sources/zip-archive.ts';
import { crsFromHead, geometryProblem } from '../data-import/sources/geojson-source.ts';
import { copyEncoder } from '../data-import/stage-loader.ts';
import { formatSummaryLine, type ImportSummary } from '../data-import/import-summary.ts';
import { formatCount } from '../data-import/sources/source.ts';
import { ESRI_PRJ, squareRing, tempDir, writeShapefile } from './helpers/import-fixtures.ts';
import { openShapefile } from '../data-import/sources/shapefile-source.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCp1252 } from './helpers/shapefile-writer.ts';

const layers = createLayerRegistry();

describe('text encodings', () => {
  it('reads the names .cpg files really hold', () => {
    const names: Record<string, string | undefined> = {
      'UTF-8': 'utf-8', UTF8: 'utf-8', '65001': 'utf-8', '1252': 'windows-1252', 'ANSI 1252': 'windows-1252', ANSI: 'windows-1252',
      CP1252: 'windows-1252', 'windows-1252': 'windows-1252', 'ISO-8859-1': 'iso-8859-1', '88591': 'iso-8859-1', LATIN1: 'iso-8859-1',
      'ISO 8859-15': 'iso-8859-15', 'UTF-16': undefined, '': undefined,
    };
    for (const [raw, expected] of Object.entries(names)) expect(parseEncodingName(`${raw}\r\n`), raw).toBe(expected);
  });

  it('prefers the .cpg, then the language-driver byte, then --encoding, then strict UTF-8', () => {
    expect(resolveDbfEncoding('UTF-8', 0x57, 'latin1')).toEqual({ encoding: 'utf-8', origin: 'cpg' });
    expect(resolveDbfEncoding(undefined, 0x57, 'utf-8')).toEqual({ encoding: 'windows-1252', origin: 'dbf-ldid' });
    expect(resolveDbfEncoding(undefined, 0x03, undefined)).toEqual({ encoding: 'windows-1252', origin: 'dbf-ldid' });
    expect(resolveDbfEncoding(undefined, 0, 'LATIN1')).toEqual({ encoding: 'iso-8859-1', origin: 'option' });
    expect(resolveDbfEncoding(undefined, 0, undefined)).toEqual({ encoding: 'utf-8', origin: 'default' });
    expect(() => resolveDbfEncoding('EBCDIC', 0, undefined)).toThrow(/cannot read \("EBCDIC"\)/);
  });

  it('decodes every Windows-1252 character, including the 0x80–0x9F ones Node’s TextDecoder gets wrong', () => {
    const text = 'Bédée — l’église Saint-Gonlay « œuvre » 12 € … Ÿ';
    expect(createTextDecoder('windows-1252')(encodeCp1252(text))).toBe(text);
  });

  it('decodes UTF-8 strictly so that a file in another encoding fails instead of turning to mojibake', () => {
    const decode = createTextDecoder('utf-8');
    expect(decode(Buffer.from('Bédée', 'utf8'))).toBe('Bédée');
    expect(() => decode(encodeCp1252('Bédée'))).toThrow();
  });
});

describe('coordinate systems', () => {
  const esriCc = (zone: number) =>
    `PROJCS["RGF_1993_CC${zone}",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],` +
    `UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",1700000.0],` +
    `PARAMETER["False_Northing",${(zone - 41) * 1000000 + 200000}.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",${zone - 0.75}],` +
    `PARAMETER["Standard_Parallel_2",${zone + 0.75}],PARAMETER["Latitude_Of_Origin",${zone}.0],UNIT["Meter",1.0]]`;

  it('remembers no agreement when the two readings give no distance to compare (NaN), and lets the identification stand', async () => {
    const sent: string[] = [];
    const answers: [RegExp, Record<string, unknown>[]][] = [
      [/spatial_ref_sys/, [{ '?column?': 1 }]], [/FROM crs_checks/, []], [/ AS d\b/, [{ d: Number.NaN }]], [/ AS back\b/, [{ back: 0 }]], [/INSERT/, []],
    ];
    const db = {
      query: async (text: string) => {
        sent.push(text);
        const rows = answers.find(([pattern]) => pattern.test(text))?.[1] ?? [];
        return { rows, rowCount: rows.length };
      },
    } as unknown as Queryable;
    const srs = await resolveSrs(db, { kind: 'wkt', wkt: ESRI_PRJ[2154], origin: 'test.prj' }, { samples: [[351_000, 6_789_000]], detectFromValues: false }, []);
    expect(srs.srid).toBe(2154);
    await srs.crossCheck();
    expect(sent.some((text) => /AS d\b/.test(text))).toBe(true);
    expect(sent.filter((text) => /INSERT/.test(text))).toEqual([]);
  });

  it('identifies ESRI .prj files of Lambert-93, the nine CC zones, UTM 30N, Web Mercator and WGS84', () => {
    expect(identifyWkt(ESRI_PRJ[2154])).toBe(2154);
    for (let zone = 42; zone <= 50; zone++) expect(identifyWkt(esriCc(zone)), `CC${zone}`).toBe(3900 + zone);
    expect(identifyWkt(ESRI_PRJ[32630])).toBe(32630);
    expect(identifyWkt(ESRI_PRJ[32630].replace('-3.0', '3.0'))).toBe(32631);
    expect(identifyWkt(ESRI_PRJ[32630].replace(/WGS_1984/g, 'ETRS_1989'))).toBe(25830);
    expect(identifyWkt(ESRI_PRJ[3857])).toBe(3857);
    expect(identifyWkt(ESRI_PRJ[4326])).toBe(4326);
  });

  it('trusts an EPSG authority on the root of OGC WKT1 and WKT2 definitions', () => {
    expect(identifyWkt('PROJCS["RGF93 v1 / Lambert-93",GEOGCS["RGF93 v1",DATUM["Reseau_Geodesique_Francais_1993_v1",SPHEROID["GRS 1980",6378137,298.257222101]],AUTHORITY["EPSG","4171"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","2154"]]')).toBe(2154);
    expect(identifyWkt('PROJCRS["RGF93 v1 / CC48",BASEGEOGCRS["RGF93 v1",DATUM["Reseau Geodesique Francais 1993 v1",ELLIPSOID["GRS 1980",6378137,298.257222101]],ID["EPSG",4171]],CS[Cartesian,2],ID["EPSG",3948]]')).toBe(3948);
  });

  it('recognises nothing it does not know: another datum, another projection, unknown parameters', () => {
    expect(identifyWkt(ESRI_PRJ[2154].replace(/RGF_1993/g, 'NTF'))).toBeUndefined();
    expect(identifyWkt(ESRI_PRJ[2154].replace('700000.0', '600000.0'))).toBeUndefined();
    expect(identifyWkt(ESRI_PRJ[2154].replace('Lambert_Conformal_Conic', 'Albers'))).toBeUndefined();
    expect(() => parseWkt('not wkt at all')).toThrow(/not WKT/);
  });

  it('lists each code once, every CC zone included', () => {
    const codes = KNOWN_CRS.map((k) => k.srid);
    expect(new Set(codes).size).toBe(codes.length);
    for (let srid = 3942; srid <= 3950; srid++) expect(codes).toContain(srid);
  });

  it('tells x/y values apart only when they are unmistakable', () => {
    expect(detectXySrid([[-1.95, 48.13], [-2.05, 48.11]])).toBe(4326);
    expect(detectXySrid([[331817, 6793621]])).toBe(2154);
    expect(detectXySrid([[1340000, 7230000]])).toBeUndefined();
    expect(detectXySrid([[-1.95, 48.13], [331817, 6793621]])).toBeUndefined();
    expect(detectXySrid([])).toBeUndefined();
  });

  it('reads --srs as EPSG:n or n', () => {
    expect(parseSrsOption('EPSG:2154')).toBe(2154);
    expect(parseSrsOption('epsg:3948')).toBe(3948);
    expect(parseSrsOption('4326')).toBe(4326);
    expect(() => parseSrsOption('Lambert93')).toThrow(/EPSG:2154/);
  });

  it('reads a legacy GeoJSON crs member, RFC 7946 files being lon/lat', () => {
    expect(crsFromHead('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[')).toMatchObject({ kind: 'epsg', srid: 2154 });
    expect(crsFromHead('{"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}')).toMatchObject({ kind: 'lonlat' });
    expect(crsFromHead('{"type":"FeatureCollection","features":[')).toMatchObject({ kind: 'lonlat' });
  });
});

describe('value coercion', () => {
  it('reads dates written the ISO way, the dBase way and the French way, and refuses impossible ones', () => {
    expect(parseDate('2026-09-30')).toBe('2026-09-30');
    expect(parseDate('2026-09-30T12:00:00Z')).toBe('2026-09-30');
    expect(parseDate('20260930')).toBe('2026-09-30');
    expect(parseDate('30/09/2026')).toBe('2026-09-30');
    expect(parseDate('2026-02-30')).toBeUndefined();
    expect(coerceValue('31/02/2026', 'date')).toEqual(new Invalid('"31/02/2026" is not a date (YYYY-MM-DD or DD/MM/YYYY)'));
  });

  it('tells real days from impossible ones as the calendar of Date does, leap years included', () => {
    // The reference: a Date set to the day keeps it only when the day exists.
    const byDate = (y: number, m: number, d: number) => {
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    let real = 0;
    for (const y of [0, 1, 4, 99, 100, 200, 400, 1582, 1600, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          expect(isRealDate(y, m, d), `${y}-${m}-${d}`).toBe(byDate(y, m, d));
          // The same days as text, in the form readers give and in the dBase one.
          const expected = byDate(y, m, d) ? `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}` : undefined;
          expect(parseDate(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`)).toBe(expected);
          expect(parseDate(`${pad(y, 4)}${pad(m, 2)}${pad(d, 2)}`)).toBe(expected);
          if (expected) real++;
        }
      }
    }
    // Seventeen years, seven of them leap years: 0, 4, 400, 1600, 2000, 2024, 2400.
    expect(real).toBe(17 * 365 + 7);
    for (const [y, m, d] of [[2024, 2.5, 1], [2024, 2, 1.5], [Number.NaN, 1, 1], [2024, Number.NaN, 1]]) expect(isRealDate(y!, m!, d!)).toBe(false);
    for (const text of ['2024-0a-01', '2024-02-3 ', '2024/02/03x', '+024-02-03', '2024-02-03\u0000']) expect(parseDate(text), text).toBeUndefined();
  });

  it('reads French numbers and refuses fractional or oversized integers', () => {
    expect(coerceValue('12,5', 'number')).toBe(12.5);
    expect(coerceValue('1 250', 'integer')).toBe(1250);
    expect(coerceValue('2.5', 'integer')).toBeInstanceOf(Invalid);
    expect(coerceValue(3e10, 'integer')).toEqual(new Invalid('30000000000 is out of the integer range'));
    expect(coerceValue('abc', 'number')).toBeInstanceOf(Invalid);
  });

  it('splits lists, reads yes/no words, and turns blanks into null', () => {
    expect(coerceValue('35023000AB0124|35023000AB0125', 'text[]')).toEqual(['35023000AB0124', '35023000AB0125']);
    expect(coerceValue('a,b', 'text[]', ',')).toEqual(['a', 'b']);
    expect(coerceValue('oui', 'boolean')).toBe(true);
    expect(coerceValue('  ', 'text')).toBeNull();
  });
});

describe('mapping profiles', () => {
  const premises = layers.get('fibre_premises')!;

  it('maps fields by name ignoring case by default, and says which fields it leaves out', () => {
    const m = compileMapping(loadProfile(undefined), premises, ['PREMISE_ID', 'Status', 'extra']);
    expect(m.map({ PREMISE_ID: 'P1', Status: 'Deployed', extra: 'x' })).toEqual({ ok: true, values: ['P1', null, null, 'deployed', null, null, null, null] });
    expect(m.warnings).toEqual(['source fields not imported: extra']);
  });

  it('maps code values ignoring case, accents and spaces, and reports the others with the accepted list', () => {
    const profile = validateProfile({ name: 't', fields: { etat: 'status', id: 'premise_id' }, values: { status: { 'Déployé': 'deployed', 'en  cours': 'in_progress' } } }, 'test');
    const m = compileMapping(profile, premises, ['etat', 'id']);
    expect(m.map({ id: 'A', etat: 'DEPLOYE' })).toMatchObject({ ok: true, values: ['A', null, null, 'deployed', null, null, null, null] });
    expect(m.map({ id: 'A', etat: ' En Cours ' })).toMatchObject({ ok: true });
    expect(m.map({ id: 'A', etat: 'fini' })).toEqual({ ok: false, errors: ['status: "fini" is not in its code list (Déployé, en  cours, target, signed, in_progress, deployed, connectable, abandoned)'] });
    expect(m.map({ id: '', etat: 'deployed' })).toEqual({ ok: false, errors: ['premise_id is required but empty'] });
    expect(normaliseValue('  Raccordable   Demandé ')).toBe('raccordable demande');
  });

  it('fills from templates and defaults', () => {
    const profile = validateProfile({ name: 't', fields: { id: 'premise_id' }, templates: { address: '{num} {voie}, {commune}' }, defaults: { status: 'target', source: 'test' } }, 'test');
    const m = compileMapping(profile, premises, ['id', 'num', 'voie', 'commune']);
    expect(m.map({ id: 'A', num: null, voie: 'Le Bourg', commune: 'Saint-Gonlay' })).toMatchObject({ ok: true, values: ['A', null, 'Le Bourg, Saint-Gonlay', 'target', null, null, null, 'test'] });
  });

  it('rounds numbers, slices parts of another field, stores constants and maps any other code to a default', () => {
    const parcels = layers.get('parcels')!;
    const profile = validateProfile({
      name: 'foreign-cadastre', fields: { IDU: 'id', SECT: 'section', NUM: 'numero', SURF: 'contenance' },
      parts: { commune: { field: 'IDU', start: 0, length: 5 } }, constants: { prefixe: '000' }, round: { contenance: 0 },
    }, 'test');
    const m = compileMapping(profile, parcels, ['IDU', 'SECT', 'NUM', 'SURF']);
    // The delivery that failed whole: contenance given as 1788.12 (and 12,5 with a decimal comma).
    expect(m.map({ IDU: '35188000AB0012', SECT: 'AB', NUM: '0012', SURF: '1788.12' })).toEqual({ ok: true, values: ['35188000AB0012', '35188', '000', 'AB', '0012', 1788] });
    expect(m.map({ IDU: '35188000AB0013', SECT: 'AB', NUM: '0013', SURF: '12,5' })).toMatchObject({ ok: true, values: expect.arrayContaining([13]) });
    expect(m.map({ IDU: '35188000AB0014', SECT: 'AB', NUM: '0014', SURF: 'n/a' }, 7)).toEqual({ ok: false, errors: ['contenance: "n/a" is not a number'] });
    expect(m.describe).toEqual(expect.arrayContaining(['commune ← IDU[0:5]', 'prefixe = "000"']));
    const statuses = validateProfile({ name: 't', fields: { id: 'premise_id', etat: 'status' }, values: { status: { DP: 'deployed', '*': 'target' } } }, 'test');
    const s2 = compileMapping(statuses, layers.get('fibre_premises')!, ['id', 'etat']);
    expect(s2.map({ id: 'A', etat: 'dp' })).toEqual({ ok: true, values: ['A', null, null, 'deployed', null, null, null, null] });
    expect(s2.map({ id: 'B', etat: 'XX' })).toEqual({ ok: true, values: ['B', null, null, 'target', null, null, null, null] });
  });

  it('leaves a bad optional value empty and reports it, naming the row and field, when the profile says so', () => {
    const parcels = layers.get('parcels')!;
    const profile = validateProfile({ name: 't', matchByName: true, onInvalid: { contenance: 'null' } }, 'test');
    const m = compileMapping(profile, parcels, ['id', 'commune', 'prefixe', 'section', 'numero', 'contenance']);
    const row = { id: '35188000AB0012', commune: '35188', prefixe: '000', section: 'AB', numero: '0012' };
    expect(m.map({ ...row, contenance: 'beaucoup' }, 4)).toEqual({ ok: true, values: ['35188000AB0012', '35188', '000', 'AB', '0012', null] });
    expect(m.map({ ...row, contenance: '12.5' }, 9)).toMatchObject({ ok: true });
    expect(m.map({ ...row, contenance: '300' }, 10)).toEqual({ ok: true, values: ['35188000AB0012', '35188', '000', 'AB', '0012', 300] });
    expect(m.nulledReport()).toEqual(['contenance: 2 values could not be converted and were left empty (first: row 4: "beaucoup" is not an integer)']);
    expect(() => compileMapping(validateProfile({ name: 't', onInvalid: { commune: 'null' } }, 't'), parcels, ['id', 'commune'])).toThrow(/commune is required/);
    expect(() => validateProfile({ name: 't', parts: { commune: { field: 'IDU', start: -1 } } }, 't')).toThrow(/parts.commune must be/);
    expect(() => compileMapping(validateProfile({ name: 't', round: { section: 0 } }, 't'), parcels, ['id'])).toThrow(/round.section: section is not a number/);
  });

  it('fails at once on profiles that cannot work', () => {
    expect(() => compileMapping(loadProfile(undefined), premises, ['status'])).toThrow(/required property premise_id/);
    expect(() => compileMapping(validateProfile({ name: 't', fields: { a: 'nope' } }, 't'), premises, ['a'])).toThrow(/"nope", which is not an importable property/);
    expect(() => validateProfile({ name: 't', feilds: {} }, 't')).toThrow(MappingError);
    expect(() => validateProfile({ geometry: { lon: 'x' } }, 't')).toThrow(/"geometry" must be/);
    expect(() => loadProfile('no-such-profile')).toThrow(/built-in profile \(arcep-immeubles, /);
  });
});

describe('geometry encoding', () => {
  it('writes points as EWKB with their SRID, and reads WKB back', () => {
    const encoded = encodeGeometry({ type: 'Point', coordinates: [331817.75, 6793621.45, 12] }, 'Point', 2154);
    expect(encoded).toMatchObject({ ok: true, repaired: false });
    const hex = (encoded as { hex: string }).hex;
    expect(hex.slice(0, 18)).toBe('0101000020' + '6a080000');
    expect(decodeWkb(Buffer.from(hex, 'hex'))).toEqual({ type: 'Point', coordinates: [331817.75, 6793621.45] });
  });

  it('promotes polygons to MultiPolygon, closes open rings and drops degenerate holes, counting that as a repair', () => {
    const open: Geometry = { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [1, 1], [1, 0]], [[0.2, 0.2], [0.3, 0.3]]] };
    const encoded = encodeGeometry(open, 'MultiPolygon', 2154);
    expect(encoded).toMatchObject({ ok: true, repaired: true });
    expect(decodeWkb(Buffer.from((encoded as { hex: string }).hex, 'hex'))).toEqual({ type: 'MultiPolygon', coordinates: [[[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]] });
  });

  it('says why a geometry cannot be loaded', () => {
    expect(encodeGeometry(null, 'Point', 4326)).toEqual({ ok: false, reason: 'no geometry' });
    expect(encodeGeometry({ type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] }, 'Point', 4326)).toEqual({ ok: false, reason: 'a MultiPoint of 2 points does not fit a point layer' });
    expect(encodeGeometry({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, 'MultiPolygon', 4326)).toEqual({ ok: false, reason: 'geometry type LineString does not fit a polygon layer' });
    expect(encodeGeometry({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [0, 0]]] }, 'MultiPolygon', 4326)).toMatchObject({ ok: false, reason: expect.stringMatching(/fewer than 3 distinct corners/) });
    expect(encodeGeometry({ type: 'Point', coordinates: [NaN, 1] }, 'Point', 4326)).toMatchObject({ ok: false });
  });

  it('reads ISO WKB with Z', () => {
    const wkb = Buffer.alloc(1 + 4 + 24);
    wkb[0] = 1;
    wkb.writeUInt32LE(1001, 1);
    wkb.writeDoubleLE(1, 5);
    wkb.writeDoubleLE(2, 13);
    wkb.writeDoubleLE(3, 21);
    expect(decodeWkb(wkb)).toEqual({ type: 'Point', coordinates: [1, 2] });
  });
});

describe('GeoJSON geometry check', () => {
  it('says what makes a geometry not GeoJSON: its type, its nesting, a coordinate that is not a number, an empty ring', () => {
    expect(geometryProblem({ type: 'Circle', coordinates: [0, 0] })).toMatch(/^type must be one of/);
    expect(geometryProblem({ type: 'Point' })).toBe('must have a member with the name "coordinates"');
    expect(geometryProblem({ type: 'MultiPolygon', coordinates: [[0, 0], [1, 1]] })).toMatch(/coordinates must be an array/);
    expect(geometryProblem({ type: 'Polygon', coordinates: [[[0, 0], [0, 'a'], [1, 1], [0, 0]]] })).toMatch(/^at 0: at 1: Position must only contain numbers/);
    expect(geometryProblem({ type: 'Polygon', coordinates: [[]] })).toBe('a polygon ring is empty or starts or ends with a null position');
  });

  it('accepts valid and null geometries, and leaves open rings and degenerate holes to the encoder that repairs them', () => {
    expect(geometryProblem(null)).toBeUndefined();
    expect(geometryProblem({ type: 'Point', coordinates: [-1.95, 48.13, 57] })).toBeUndefined();
    const open = { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [1, 1], [1, 0]], [[0.2, 0.2], [0.3, 0.3]]] };
    expect(geometryProblem(open)).toBeUndefined();
    expect(encodeGeometry(open as Geometry, 'MultiPolygon', 4326)).toMatchObject({ ok: true, repaired: true });
  });
});

describe('shapefile ring roles', () => {
  it('puts each hole in the smallest clockwise ring around it (an island in a lake in an island)', () => {
    const big = squareRing(0, 0, 100);
    const lake = squareRing(10, 10, 80).reverse();
    const island = squareRing(20, 20, 60);
    const pond = squareRing(30, 30, 10).reverse();
    const result = assemblePolygons([big, lake, island, pond]);
    expect(result).toEqual({ type: 'MultiPolygon', coordinates: [[big, lake], [island, pond]] });
  });

  it('reads files written all anticlockwise (against the specification) as separate polygons', () => {
    const a = squareRing(0, 0, 10).reverse();
    const b = squareRing(20, 0, 10).reverse();
    expect(assemblePolygons([a, b])).toEqual({ type: 'MultiPolygon', coordinates: [[a], [b]] });
  });
});

describe('shapefile reading', () => {
  const fields = [{ name: 'name', type: 'C', length: 20 }] as const;
  const write = (dir: string, n: number) =>
    writeShapefile({ base: join(dir, 'p'), kind: 'point', encoding: 'utf-8', cpg: 'UTF-8', fields: [...fields] }, Array.from({ length: n }, (_, i) => ({ geometry: [i, i], attributes: { name: `P${i + 1}` } })));
  const readAll = async (shp: string) => {
    const source = await openShapefile(shp);
    const rows = [];
    try {
      for await (const r of source.records()) rows.push({ row: r.row, name: r.properties.name });
    } finally {
      await source.close();
    }
    return { rows, warnings: source.warnings };
  };

  it('skips records flagged deleted in the .dbf, keeping the other rows’ numbers', async () => {
    const tmp = tempDir();
    try {
      const shp = write(tmp.dir, 3);
      const dbf = shp.replace(/shp$/, 'dbf');
      const bytes = readFileSync(dbf);
      bytes[bytes.readUInt16LE(8) + bytes.readUInt16LE(10)] = 0x2a; // second record: '*'
      writeFileSync(dbf, bytes);
      expect((await readAll(shp)).rows).toEqual([{ row: 1, name: 'P1' }, { row: 3, name: 'P3' }]);
    } finally {
      tmp.cleanup();
    }
  });

  it('reads records in a file larger than its buffer, across refills', async () => {
    const tmp = tempDir();
    try {
      const { rows } = await readAll(write(tmp.dir, 60_000));
      expect(rows).toHaveLength(60_000);
      expect(rows.at(-1)).toEqual({ row: 60_000, name: 'P60000' });
    } finally {
      tmp.cleanup();
    }
  });
});

describe('CSV and archives', () => {
  it('sniffs the delimiter from the header, quotes respected', () => {
    expect(sniffDelimiter('id;id_fantoir;numero;rep;nom_voie')).toBe(';');
    expect(sniffDelimiter('"a;b",c,d')).toBe(',');
    expect(sniffDelimiter('a\tb\tc')).toBe('\t');
  });

  it('finds lon/lat before x/y before WKT columns', () => {
    expect(findGeometryColumns(['id', 'x', 'y', 'lon', 'lat'])).toEqual({ lon: 'lon', lat: 'lat' });
    expect(findGeometryColumns(['X', 'Y'])).toEqual({ x: 'X', y: 'Y' });
    expect(findGeometryColumns(['name', 'WKT'])).toEqual({ wkt: 'WKT' });
    expect(findGeometryColumns(['name'])).toBeUndefined();
  });

  it('lists an archive’s datasets and picks one by path, name or the only one', () => {
    const members = datasetMembers(['a/zones.shp', 'a/zones.dbf', 'b/Points.SHP', 'readme.txt.bak', '__MACOSX/a/._zones.shp', 'c/data.geojson']);
    expect(members).toEqual(['a/zones', 'b/Points', 'c/data.geojson']);
    expect(chooseMember(members, 'points')).toBe('b/Points');
    expect(chooseMember(members, 'a/zones.shp')).toBe('a/zones');
    expect(chooseMember(['only'], undefined)).toBe('only');
    expect(() => chooseMember(members, undefined)).toThrow(/several datasets/);
    expect(() => chooseMember(members, 'nope')).toThrow(/no member "nope"/);
  });
});

describe('COPY text and summaries', () => {
  it('escapes what COPY text format would misread', () => {
    expect(copyEncoder('text')('a\tb\\c\nd')).toBe('a\\tb\\\\c\\nd');
    expect(copyEncoder('text')(null)).toBe('\\N');
    expect(copyEncoder('text[]')(['35023000AB0124', 'x"y'])).toBe('{"35023000AB0124","x\\\\"y"}');
    expect(copyEncoder('boolean')(true)).toBe('t');
  });

  it('ends the CLI with one line that says what happened', () => {
    const summary: ImportSummary = {
      id: 42, status: 'succeeded', layer: 'fibre_premises', file: 'immeubles.csv', sha256: null, mode: 'replace', mapping: 'arcep-immeubles', dryRun: false,
      counts: { read: 1204, loaded: 1198, repaired: 3, rejected: 6 }, written: { inserted: 12, updated: 130, deleted: 3 },
      diff: {
        key: 'premise_id', added: 12, changed: 130, unchanged: 1056, absent: 3, removed: 3, changedColumns: { status: 130 },
        transitions: { status: { 'in_progress → deployed': 120, 'target → signed': 10 } }, samples: { added: [], changed: [], absent: [] },
      },
      errors: [], warnings: [], fields: [], durationMs: 2140,
    };
    expect(formatSummaryLine(summary)).toBe(
      'imported fibre_premises ← immeubles.csv: 1,204 read, 1,198 loaded, 3 repaired, 6 rejected; +12 ~130 −3 (status in_progress → deployed: 120, status target → signed: 10) [2.1 s, run #42]',
    );
  });
});

describe('formatCount', () => {
  it('groups whole numbers by thousands as en-US does, signs and zero included', () => {
    const values = [0, 7, -7, 999, 1000, -1000, 10_000, 123_456, 1_234_567, -9_876_543, 2 ** 31, Number.MAX_SAFE_INTEGER];
    for (let digits = 1; digits <= 15; digits++) values.push(Number('9'.repeat(digits)), 10 ** digits);
    for (const n of values) expect(formatCount(n), String(n)).toBe(n.toLocaleString('en-US'));
  });
});
