// Coordinate systems of deliveries: reads .prj WKT (OGC or ESRI flavour) into an EPSG code, checks
// it against PostGIS's own reading of the WKT, or tells x/y columns' system from their values.
//
// Why EPSG codes and not `ST_Transform(geom, '<wkt>', 4326)` for every row: PostGIS caches PROJ
// objects by SRID only, so a WKT string costs a PROJ set-up per row (minutes for 200,000 rows
// instead of a second). The WKT path is used once, to cross-check the identification.
import { createHash } from 'node:crypto';
import type { Queryable } from '../core/db/database.ts';
import type { CrsHint } from './sources/source.ts';

export interface ResolvedSrs {
  srid: number;
  /** How we know, for the summary (".prj matched to EPSG:2154", "--srs"…). */
  origin: string;
  /** Checks a .prj's identification against PROJ's own reading of it (a no-op for anything else);
   *  throws CrsError when they disagree. The pipeline runs it once its rows are staged: the COPY's
   *  backend has then loaded PostGIS and PROJ while the reader was busy, not before it started
   *  (the lot import, which stages no COPY, runs it before loading). */
  crossCheck(): Promise<void>;
}

const NOTHING_TO_CHECK = async (): Promise<void> => undefined;

export class CrsError extends Error {}

// ---- WKT1 parsing -----------------------------------------------------------------------------

export interface WktNode {
  key: string;
  args: (string | number | WktNode)[];
}

/** Parses WKT (version 1 or 2 syntax) into a tree of `KEY[args]` nodes; bare words (EAST) are strings. */
export function parseWkt(text: string): WktNode {
  let at = 0;
  const skip = () => {
    while (at < text.length && /[\s,]/.test(text[at]!)) at++;
  };
  const word = () => {
    const start = at;
    while (at < text.length && /[A-Za-z0-9_]/.test(text[at]!)) at++;
    return text.slice(start, at);
  };
  function body(key: string): WktNode {
    const close = text[at] === '[' ? ']' : ')';
    at++;
    const args: WktNode['args'] = [];
    for (;;) {
      skip();
      const ch = text[at];
      if (ch === undefined) throw new CrsError('unterminated WKT');
      if (ch === close) {
        at++;
        return { key, args };
      }
      if (ch === '"') {
        const end = text.indexOf('"', at + 1);
        if (end < 0) throw new CrsError('unterminated WKT string');
        args.push(text.slice(at + 1, end));
        at = end + 1;
      } else if (/[-+.\d]/.test(ch)) {
        const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(at, at + 40));
        if (!m) throw new CrsError(`bad number in WKT near "${text.slice(at, at + 20)}"`);
        args.push(Number(m[0]));
        at += m[0].length;
      } else {
        const name = word();
        if (!name) throw new CrsError(`unexpected "${ch}" in WKT`);
        skip();
        args.push(text[at] === '[' || text[at] === '(' ? body(name.toUpperCase()) : name);
      }
    }
  }
  skip();
  const key = word().toUpperCase();
  skip();
  if (!key || (text[at] !== '[' && text[at] !== '(')) throw new CrsError(`not WKT: "${text.slice(0, 30)}"`);
  return body(key);
}

const children = (n: WktNode, key: string) => n.args.filter((a): a is WktNode => typeof a === 'object' && a.key === key);
const child = (n: WktNode, key: string) => children(n, key)[0];
const nameOf = (n: WktNode | undefined) => (n && typeof n.args[0] === 'string' ? n.args[0] : '');
const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `AUTHORITY["EPSG","2154"]` (WKT1) or `ID["EPSG",2154]` (WKT2) directly on the root. */
function authorityCode(root: WktNode): number | undefined {
  for (const a of [...children(root, 'AUTHORITY'), ...children(root, 'ID')]) {
    if (String(a.args[0]).toUpperCase() === 'EPSG' && Number(a.args[1]) > 0) return Number(a.args[1]);
  }
  return undefined;
}

// ---- ESRI WKT identification ------------------------------------------------------------------

type Datum = 'wgs84' | 'rgf93' | 'etrs89';
type Method = 'lcc' | 'tmerc' | 'webmerc';

interface KnownCrs {
  srid: number;
  datum: Datum;
  /** Absent for geographic systems. */
  method?: Method;
  params?: Record<string, number>;
}

/** Reads a datum name in any of its spellings (D_RGF_1993, Reseau_Geodesique_Francais_1993_v1…). */
function datumOf(name: string): Datum | undefined {
  const s = squash(name).replace(/^d(?=wgs|rgf|etrs)/, '');
  if (/^(wgs1984|wgs84|worldgeodeticsystem1984)/.test(s)) return 'wgs84';
  if (/^(rgf1993|rgf93|reseaugeodesiquefrancais1993)/.test(s)) return 'rgf93';
  if (/^(etrs1989|etrs89|europeanterrestrialreferencesystem1989)/.test(s)) return 'etrs89';
  return undefined;
}

function methodOf(name: string): Method | undefined {
  const s = squash(name);
  if (s === 'lambertconformalconic' || s === 'lambertconformalconic2sp') return 'lcc';
  if (s === 'transversemercator') return 'tmerc';
  if (s === 'mercatorauxiliarysphere' || s === 'popularvisualisationpseudomercator') return 'webmerc';
  return undefined;
}

/** Parameter names of WKT1 (OGC and ESRI spellings) to short keys; values default to 0 (scale 1). */
const PARAM_KEYS: Record<string, string> = {
  falseeasting: 'x0', falsenorthing: 'y0', centralmeridian: 'lon0', longitudeoforigin: 'lon0', longitudeofcenter: 'lon0',
  latitudeoforigin: 'lat0', latitudeofcenter: 'lat0', standardparallel1: 'sp1', standardparallel2: 'sp2', scalefactor: 'k',
  auxiliaryspheretype: 'aux',
};

const lcc = (srid: number, lat0: number, sp1: number, sp2: number, x0: number, y0: number): KnownCrs => ({
  srid, datum: 'rgf93', method: 'lcc', params: { lat0, lon0: 3, sp1, sp2, x0, y0 },
});
const utm = (srid: number, datum: Datum, lon0: number): KnownCrs => ({
  srid, datum, method: 'tmerc', params: { lat0: 0, lon0, k: 0.9996, x0: 500000, y0: 0 },
});

/** The systems French deliveries come in: Lambert-93, the nine CC zones, UTM 30N/31N, Web Mercator, lon/lat. */
export const KNOWN_CRS: readonly KnownCrs[] = [
  lcc(2154, 46.5, 49, 44, 700000, 6600000),
  ...Array.from({ length: 9 }, (_, i) => lcc(3942 + i, 42 + i, 41.25 + i, 42.75 + i, 1700000, 1200000 + 1000000 * i)),
  utm(32630, 'wgs84', -3),
  utm(32631, 'wgs84', 3),
  utm(25830, 'etrs89', -3),
  utm(25831, 'etrs89', 3),
  { srid: 3857, datum: 'wgs84', method: 'webmerc', params: { lon0: 0, x0: 0, y0: 0 } },
  { srid: 4326, datum: 'wgs84' },
  { srid: 4171, datum: 'rgf93' },
  { srid: 4258, datum: 'etrs89' },
];

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function paramsMatch(found: Record<string, number>, known: Record<string, number>, method: Method): boolean {
  const keys = new Set([...Object.keys(found), ...Object.keys(known)]);
  for (const key of keys) {
    if (key === 'aux' || (method === 'webmerc' && key === 'sp1')) continue;
    if (method === 'lcc' && (key === 'sp1' || key === 'sp2')) continue;
    const fallback = key === 'k' ? 1 : 0;
    if (!close(found[key] ?? fallback, known[key] ?? fallback)) return false;
  }
  if (method === 'lcc') {
    // Standard parallels are interchangeable.
    const a = [found.sp1 ?? 0, found.sp2 ?? 0].sort();
    const b = [known.sp1 ?? 0, known.sp2 ?? 0].sort();
    return close(a[0]!, b[0]!) && close(a[1]!, b[1]!);
  }
  return true;
}

/** The EPSG code a WKT describes: its authority code, else its datum, projection and parameters. */
export function identifyWkt(wkt: string): number | undefined {
  const root = parseWkt(wkt.trim());
  const code = authorityCode(root);
  if (code) return code;
  const geogcs = root.key === 'GEOGCS' ? root : root.key === 'PROJCS' ? child(root, 'GEOGCS') : undefined;
  if (!geogcs) return undefined;
  const datum = datumOf(nameOf(child(geogcs, 'DATUM')));
  if (!datum) return undefined;
  if (root.key === 'GEOGCS') return KNOWN_CRS.find((k) => !k.method && k.datum === datum)?.srid;
  const unit = child(root, 'UNIT');
  if (unit && !close(Number(unit.args[1]), 1)) return undefined;
  const method = methodOf(nameOf(child(root, 'PROJECTION')));
  if (!method) return undefined;
  const params: Record<string, number> = {};
  for (const p of children(root, 'PARAMETER')) {
    const key = PARAM_KEYS[squash(nameOf(p))];
    if (!key) return undefined;
    params[key] = Number(p.args[1]);
  }
  return KNOWN_CRS.find((k) => k.method === method && k.datum === datum && paramsMatch(params, k.params!, method))?.srid;
}

// ---- resolution -------------------------------------------------------------------------------

/** Parses `EPSG:2154`, `epsg:2154` or `2154`. */
export function parseSrsOption(raw: string): number {
  const m = /^\s*(?:epsg:)?(\d{4,6})\s*$/i.exec(raw);
  if (!m) throw new CrsError(`--srs must look like EPSG:2154, got "${raw}"`);
  return Number(m[1]);
}

/** Metropolitan France in Lambert-93 (EPSG:2154 area of use, metres). */
const LAMBERT93_BOUNDS = [-357823, 6037008, 1313632, 7230727] as const;

/** Tells x/y values' system: longitude/latitude or Lambert-93, when every sample agrees. */
export function detectXySrid(samples: readonly (readonly [number, number])[]): number | undefined {
  if (samples.length === 0) return undefined;
  if (samples.every(([x, y]) => x >= -180 && x <= 180 && y >= -90 && y <= 90)) return 4326;
  const [x0, y0, x1, y1] = LAMBERT93_BOUNDS;
  if (samples.every(([x, y]) => x >= x0 && x <= x1 && y >= y0 && y <= y1)) return 2154;
  return undefined;
}

async function requireKnownSrid(db: Queryable, srid: number, origin: string): Promise<void> {
  const found = await db.query('SELECT 1 FROM spatial_ref_sys WHERE srid = $1', [srid]);
  if (found.rowCount === 0) throw new CrsError(`EPSG:${srid} (${origin}) is not a coordinate system PostGIS knows`);
}

/**
 * Checks an identification against PostGIS reading the WKT itself at a sample position: the two
 * transforms must agree to 1e-7 degrees. A WKT PROJ cannot parse leaves the identification alone.
 * An agreement at a sample the system carries is remembered for this WKT, system and PROJ version
 * (crs_checks): the next delivery with the same .prj skips the WKT's PROJ set-up.
 */
async function crossCheck(db: Queryable, wkt: string, srid: number, sample: readonly [number, number]): Promise<void> {
  const key = createHash('sha256').update(wkt).digest('hex');
  const known = await db.query('SELECT 1 FROM crs_checks WHERE wkt_sha256 = $1 AND srid = $2 AND proj_version = postgis_proj_version()', [key, srid]);
  if (known.rowCount) return;
  let row: { d: number } | undefined;
  try {
    const result = await db.query<{ d: number }>(
      `SELECT ST_Distance(ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), $3::int), 4326),
                          ST_SetSRID(ST_Transform(ST_MakePoint($1, $2), $4::text, 4326), 4326)) AS d`,
      [sample[0], sample[1], srid, wkt],
    );
    row = result.rows[0];
  } catch {
    return;
  }
  // No distance (NaN: a reading with no coordinates to compare) tells nothing either way.
  if (typeof row?.d !== 'number' || Number.isNaN(row.d)) return;
  if (row.d > 1e-7) {
    throw new CrsError(`the .prj reads as EPSG:${srid} but PROJ places the data ${row.d.toExponential(2)}° away from that: pass --srs`);
  }
  if (!(await carriedBack(db, srid, sample))) return;
  await db.query(
    `INSERT INTO crs_checks (wkt_sha256, srid, proj_version) VALUES ($1, $2, postgis_proj_version()) ON CONFLICT DO NOTHING`,
    [key, srid],
  );
}

/** How far, in the system's units, a sample may come back from longitude/latitude and still count as carried. */
const ROUND_TRIP_TOLERANCE = 1e-3;

/**
 * Whether the system carries the sample to longitude/latitude and back to where it was. Far
 * outside the system's area (a bounding box stretched by one stray point) every reading of it
 * ends at the same place, a pole, so two readings agree there whatever they are: such an
 * agreement says nothing of the .prj and must not be remembered for its next deliveries.
 */
async function carriedBack(db: Queryable, srid: number, sample: readonly [number, number]): Promise<boolean> {
  try {
    const { rows } = await db.query<{ back: number | null }>(
      `SELECT ST_Distance(ST_Transform(ST_Transform(p, 4326), $3::int), p) AS back FROM (SELECT ST_SetSRID(ST_MakePoint($1, $2), $3::int) AS p) s`,
      [sample[0], sample[1], srid],
    );
    const back = rows[0]?.back;
    return typeof back === 'number' && back <= ROUND_TRIP_TOLERANCE;
  } catch {
    return false;
  }
}

/**
 * Decides the source SRID: `--srs` (or the mapping's `srs`) first, else what the file states,
 * else x/y values that are unmistakably lon/lat or Lambert-93. Never a guess: anything else is
 * an error that asks for --srs.
 */
export async function resolveSrs(
  db: Queryable,
  hint: CrsHint,
  options: { srs?: string; samples: readonly (readonly [number, number])[]; detectFromValues: boolean },
  warnings: string[],
): Promise<ResolvedSrs> {
  if (options.srs) {
    const srid = parseSrsOption(options.srs);
    await requireKnownSrid(db, srid, '--srs');
    if (hint.kind === 'wkt' || hint.kind === 'epsg') {
      let stated: number | undefined;
      try {
        stated = hint.kind === 'epsg' ? hint.srid : identifyWkt(hint.wkt);
      } catch {
        stated = undefined;
      }
      if (stated !== srid) warnings.push(`--srs EPSG:${srid} overrides the file's own coordinate system (${hint.origin}${stated ? `: EPSG:${stated}` : ''})`);
    }
    return { srid, origin: '--srs', crossCheck: NOTHING_TO_CHECK };
  }
  switch (hint.kind) {
    case 'epsg':
      await requireKnownSrid(db, hint.srid, hint.origin);
      return { srid: hint.srid, origin: hint.origin, crossCheck: NOTHING_TO_CHECK };
    case 'lonlat':
      return { srid: 4326, origin: hint.origin, crossCheck: NOTHING_TO_CHECK };
    case 'wkt': {
      let srid: number | undefined;
      try {
        srid = identifyWkt(hint.wkt);
      } catch (error) {
        throw new CrsError(`${hint.origin} is not readable WKT (${(error as Error).message}): pass --srs EPSG:n`);
      }
      if (!srid) {
        const name = /^\s*\w+\s*\[\s*"([^"]*)"/.exec(hint.wkt)?.[1] ?? 'unnamed';
        throw new CrsError(`${hint.origin} describes a coordinate system we do not recognise ("${name}"): pass --srs EPSG:n`);
      }
      await requireKnownSrid(db, srid, hint.origin);
      const sample = options.samples[0];
      const identified = srid;
      return {
        srid,
        origin: `${hint.origin} (EPSG:${srid})`,
        crossCheck: sample && srid !== 4326 ? () => crossCheck(db, hint.wkt, identified, sample) : NOTHING_TO_CHECK,
      };
    }
    case 'none': {
      const detected = options.detectFromValues ? detectXySrid(options.samples) : undefined;
      if (detected) {
        return { srid: detected, origin: `${hint.origin}: values look like ${detected === 4326 ? 'WGS84 longitude/latitude' : 'Lambert-93'}`, crossCheck: NOTHING_TO_CHECK };
      }
      throw new CrsError(`the coordinate system is unknown (${hint.origin}): pass --srs EPSG:n (e.g. EPSG:2154 for Lambert-93)`);
    }
  }
}
