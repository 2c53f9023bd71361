// Finds the tile holding a point, decodes vector tiles into readable JSON and checks them against
// goldens in tests/golden/tiles (UPDATE_GOLDEN=1 rewrites them). The two producers may differ by a tile unit in their vertices,
// so geometries are compared within one unit, never byte for byte; ids and properties exactly.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type { TileCoord } from '../../server/tiles/tile-address.ts';

export type XY = [number, number];

export interface DecodedFeature {
  id: number | undefined;
  type: 'Point' | 'LineString' | 'Polygon' | 'Unknown';
  properties: Record<string, string | number | boolean>;
  /** Points: one [x, y] per point; polygons: the rings as encoded (exterior then holes), closed. */
  geometry: XY[][];
}

export interface DecodedLayer {
  version: number;
  extent: number;
  features: DecodedFeature[];
}

export type DecodedTile = Record<string, DecodedLayer>;

const TYPES = ['Unknown', 'Point', 'LineString', 'Polygon'] as const;

/** The URL path of a tile of `layers` (ids joined by commas). */
export const tilePath = (layers: string, { z, x, y }: TileCoord) => `/tiles/${layers}/${z}/${x}/${y}.mvt`;

/** The XYZ tile holding a WGS84 point at zoom z. */
export function tileAt(lon: number, lat: number, z: number): TileCoord {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n),
  };
}

/** The tile as JSON: layers by name, features sorted by id. */
export function decodeTile(bytes: Uint8Array): DecodedTile {
  const tile = new VectorTile(new PbfReader(bytes));
  const out: DecodedTile = {};
  for (const name of Object.keys(tile.layers).sort()) {
    const layer = tile.layers[name]!;
    const features: DecodedFeature[] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      features.push({
        id: f.id,
        type: TYPES[f.type],
        properties: Object.fromEntries(Object.entries(f.properties).sort(([a], [b]) => a.localeCompare(b))),
        geometry: f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y] as XY)),
      });
    }
    features.sort((a, b) => (a.id ?? -1) - (b.id ?? -1));
    out[name] = { version: layer.version, extent: layer.extent, features };
  }
  return out;
}

function distanceToSegment([px, py]: XY, [ax, ay]: XY, [bx, by]: XY): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The farthest any vertex of `a` lies from the outline (or points) of `b`. */
function directedDistance(a: XY[][], b: XY[][], closed: boolean): number {
  const segments: [XY, XY][] = [];
  for (const ring of b) {
    if (ring.length === 1) segments.push([ring[0]!, ring[0]!]);
    for (let i = 1; i < ring.length; i++) segments.push([ring[i - 1]!, ring[i]!]);
    if (closed && ring.length > 2) segments.push([ring[ring.length - 1]!, ring[0]!]);
  }
  let worst = 0;
  for (const ring of a) {
    for (const p of ring) {
      let best = Infinity;
      for (const [s, e] of segments) best = Math.min(best, distanceToSegment(p, s, e));
      worst = Math.max(worst, best);
    }
  }
  return worst;
}

/** Symmetric distance between two geometries' vertices and outlines, in tile units. */
export function geometryDistance(a: DecodedFeature, b: DecodedFeature): number {
  const closed = a.type === 'Polygon';
  if (a.geometry.length === 0 || b.geometry.length === 0) return a.geometry.length === b.geometry.length ? 0 : Infinity;
  return Math.max(directedDistance(a.geometry, b.geometry, closed), directedDistance(b.geometry, a.geometry, closed));
}

/** Twice the surveyor's-formula area of a ring in tile coordinates (positive = MVT exterior). */
export function ringArea(ring: XY[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += ring[j]![0] * ring[i]![1] - ring[i]![0] * ring[j]![1];
  return sum;
}

/**
 * Polygons this small (in tile units², 1/4096 of a tile a side: a 512-pixel tile makes a unit 1/8 of
 * a pixel) may exist in one producer's output only: wagyu, inside ST_AsMVTGeom, snap-rounds with
 * "hot pixels" and drops some slivers of a unit or two that GEOS keeps, or the other way round.
 */
export const SLIVER_AREA = 4;

const featureArea = (f: DecodedFeature) => Math.abs(f.geometry.reduce((sum, ring) => sum + ringArea(ring), 0)) / 2;

/**
 * Differences between two decoded tiles: layer names, feature ids (but for slivers), types and
 * properties must be equal; geometries may differ by at most `tolerance` tile units. Empty when they agree.
 */
export function compareTiles(actual: DecodedTile, expected: DecodedTile, tolerance = 1): string[] {
  const problems: string[] = [];
  const names = (t: DecodedTile) => Object.keys(t).sort().join(',');
  if (names(actual) !== names(expected)) problems.push(`layers ${names(actual)} instead of ${names(expected)}`);
  for (const [name, layer] of Object.entries(expected)) {
    const other = actual[name];
    if (!other) continue;
    const got = new Map(other.features.map((f) => [f.id, f]));
    const want = new Map(layer.features.map((f) => [f.id, f]));
    for (const [side, only, from] of [['extra', got, want], ['missing', want, got]] as const) {
      for (const [id, f] of only) {
        if (!from.has(id) && !(f.type === 'Polygon' && featureArea(f) <= SLIVER_AREA)) problems.push(`${name}: ${side} feature ${id}`);
      }
    }
    for (const [id, w] of want) {
      const g = got.get(id);
      if (!g) continue;
      const where = `${name} feature ${id}`;
      if (g.type !== w.type) problems.push(`${where}: type ${g.type} instead of ${w.type}`);
      if (JSON.stringify(g.properties) !== JSON.stringify(w.properties)) {
        problems.push(`${where}: properties ${JSON.stringify(g.properties)} instead of ${JSON.stringify(w.properties)}`);
      }
      const distance = geometryDistance(g, w);
      if (distance > tolerance) problems.push(`${where}: geometry off by ${distance.toFixed(2)} tile units`);
    }
  }
  return problems;
}

const GOLDEN_DIR = fileURLToPath(new URL('../golden/tiles/', import.meta.url));

/** Readable JSON: one line per feature, so a diff shows which feature moved. */
function formatGolden(address: string, tile: DecodedTile): string {
  const layers = Object.entries(tile).map(([name, layer]) => {
    const features = layer.features.map((f) => `      ${JSON.stringify(f)}`).join(',\n');
    return `    ${JSON.stringify(name)}: {"version": ${layer.version}, "extent": ${layer.extent}, "features": [\n${features}\n    ]}`;
  });
  return `{\n  "tile": ${JSON.stringify(address)},\n  "layers": {\n${layers.join(',\n')}\n  }\n}\n`;
}

/**
 * Checks a decoded tile against `tests/golden/tiles/<name>.json`, or writes it there when
 * UPDATE_GOLDEN=1. Returns the differences (empty when it matches).
 */
export function checkTileGolden(name: string, address: string, tile: DecodedTile): string[] {
  const file = `${GOLDEN_DIR}${name}.json`;
  if (process.env.UPDATE_GOLDEN !== '1' && !existsSync(file)) return [`golden ${name}.json is missing: run with UPDATE_GOLDEN=1`];
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, formatGolden(address, tile));
    return [];
  }
  const golden = JSON.parse(readFileSync(file, 'utf8')) as { tile: string; layers: DecodedTile };
  if (golden.tile !== address) return [`golden ${name} is for tile ${golden.tile}, not ${address}`];
  return compareTiles(tile, golden.layers);
}
