// Geometries sent by staff: their size and nesting bounded first, then checked as GeoJSON by
// geojson-validation (structure, closed rings, positions) before PostGIS checks them as geometry
// (ST_IsValid) in the rules of each layer.
import type { LineString, MultiPolygon, Polygon } from 'geojson';
import { isGeometryObject, isLineString } from 'geojson-validation';
import { unprocessable } from '../http/errors.ts';

/**
 * More vertices than a hand-drawn lot or zone ever needs: a bound on the work a request can ask,
 * since it is checked by a walk that stops as soon as it is passed, before anything else reads
 * the coordinates (the validator, PostGIS).
 */
export const MAX_POSITIONS = 50_000;

/** How deep each type's coordinates nest, positions' own array included. */
const DEPTH = { LineString: 2, Polygon: 3, MultiPolygon: 4 } as const;

/**
 * Walks `coordinates` without recursion and throws a 422 on `field` unless they nest exactly
 * `depth` arrays deep, hold at most MAX_POSITIONS positions of 2 or 3 numbers, in
 * longitude/latitude. Stops at the first fault: ~100k nested arrays cost one step per level
 * visited up to `depth`, not a stack frame each (geojson-validation recurses, and overflows).
 */
function checkCoordinates(coordinates: unknown, depth: number, field: string): void {
  const fail = (why: string) => unprocessable(field, `géométrie GeoJSON invalide / invalid GeoJSON geometry: ${why}`);
  const stack: [unknown, number][] = [[coordinates, 1]];
  let positions = 0;
  let arrays = 0;
  while (stack.length) {
    const [value, level] = stack.pop()!;
    if (!Array.isArray(value)) throw fail(`un tableau est attendu à la profondeur ${level} / expected an array at depth ${level}`);
    // Empty arrays cost work too: bound every array, not only positions.
    if (++arrays > 2 * MAX_POSITIONS) throw unprocessable(field, `plus de ${MAX_POSITIONS} sommets / more than ${MAX_POSITIONS} vertices`);
    if (level === depth) {
      if ((value.length !== 2 && value.length !== 3) || !value.every((n) => typeof n === 'number' && Number.isFinite(n))) {
        throw fail('une position a 2 ou 3 nombres / a position has 2 or 3 numbers');
      }
      if (++positions > MAX_POSITIONS) throw unprocessable(field, `plus de ${MAX_POSITIONS} sommets / more than ${MAX_POSITIONS} vertices`);
      if (Math.abs(value[0] as number) > 180 || Math.abs(value[1] as number) > 85.06) {
        throw unprocessable(field, 'coordonnées hors longitude/latitude (EPSG:4326 attendu) / coordinates outside longitude/latitude (EPSG:4326 expected)');
      }
      continue;
    }
    if (value.length === 0) throw fail(`tableau vide à la profondeur ${level} / empty array at depth ${level}`);
    for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], level + 1]);
  }
}

/** Runs a geojson-validation check, which throws on some inputs it should report, as a 422. */
function validate(check: () => string[], field: string, expected: string): void {
  let problems: string[];
  try {
    problems = check();
  } catch {
    problems = ['structure illisible / unreadable structure'];
  }
  if (problems.length) throw unprocessable(field, `${expected}: ${problems.slice(0, 3).join('; ')}`);
}

function geometryType(raw: unknown): unknown {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { type?: unknown }).type : undefined;
}

/** A Polygon or MultiPolygon in longitude/latitude, else a 422 on `field` saying what is wrong. */
export function parseSurface(raw: unknown, field = 'geometry'): Polygon | MultiPolygon {
  const type = geometryType(raw);
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    throw unprocessable(field, `un Polygon ou MultiPolygon GeoJSON est attendu / expected a GeoJSON Polygon or MultiPolygon, got ${String(type).slice(0, 40)}`);
  }
  checkCoordinates((raw as { coordinates?: unknown }).coordinates, DEPTH[type], field);
  validate(() => isGeometryObject(raw, true), field, 'géométrie GeoJSON invalide / invalid GeoJSON geometry');
  return raw as Polygon | MultiPolygon;
}

/** A LineString in longitude/latitude (a cutting line) of at most `maxPositions` vertices, else a 422 on `field`. */
export function parseLine(raw: unknown, field = 'geometry', maxPositions = MAX_POSITIONS): LineString {
  if (geometryType(raw) !== 'LineString') throw unprocessable(field, 'un LineString GeoJSON est attendu / expected a GeoJSON LineString');
  const coordinates = (raw as { coordinates?: unknown }).coordinates;
  if (Array.isArray(coordinates) && coordinates.length > maxPositions) {
    throw unprocessable(field, `plus de ${maxPositions} sommets / more than ${maxPositions} vertices`);
  }
  checkCoordinates(coordinates, DEPTH.LineString, field);
  validate(() => isLineString(raw, true), field, 'un LineString GeoJSON est attendu / expected a GeoJSON LineString');
  return raw as LineString;
}
