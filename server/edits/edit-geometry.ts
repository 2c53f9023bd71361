// Geometries sent by staff: checked as GeoJSON by geojson-validation (structure, closed rings,
// positions) before PostGIS checks them as geometry (ST_IsValid) in the rules of each layer.
import type { LineString, MultiPolygon, Polygon } from 'geojson';
import gjv from 'geojson-validation';
import { unprocessable } from '../http/errors.ts';

/** More vertices than a hand-drawn lot or zone ever needs: a bound on the work a request can ask. */
const MAX_POSITIONS = 50_000;

function countPositions(value: unknown): number {
  if (!Array.isArray(value)) return 0;
  if (typeof value[0] === 'number') return 1;
  return value.reduce((n: number, v) => n + countPositions(v), 0);
}

function inLonLat(value: unknown): boolean {
  if (!Array.isArray(value)) return true;
  if (typeof value[0] === 'number') return Math.abs(value[0]) <= 180 && Math.abs(value[1] as number) <= 85.06;
  return value.every(inLonLat);
}

/** A Polygon or MultiPolygon in longitude/latitude, else a 422 on `field` saying what is wrong. */
export function parseSurface(raw: unknown, field = 'geometry'): Polygon | MultiPolygon {
  const problems = gjv.isGeometryObject(raw, true);
  if (problems.length) throw unprocessable(field, `géométrie GeoJSON invalide / invalid GeoJSON geometry: ${problems.slice(0, 3).join('; ')}`);
  const geometry = raw as { type: string; coordinates: unknown };
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') {
    throw unprocessable(field, `un Polygon ou MultiPolygon est attendu / expected a Polygon or MultiPolygon, got ${geometry.type}`);
  }
  checkCoordinates(geometry.coordinates, field);
  return geometry as Polygon | MultiPolygon;
}

/** A LineString in longitude/latitude (a cutting line), else a 422 on `field`. */
export function parseLine(raw: unknown, field = 'geometry'): LineString {
  const problems = gjv.isLineString(raw, true);
  if (problems.length) throw unprocessable(field, `un LineString GeoJSON est attendu / expected a GeoJSON LineString: ${problems.slice(0, 3).join('; ')}`);
  const line = raw as LineString;
  checkCoordinates(line.coordinates, field);
  return line;
}

function checkCoordinates(coordinates: unknown, field: string): void {
  if (countPositions(coordinates) > MAX_POSITIONS) throw unprocessable(field, `plus de ${MAX_POSITIONS} sommets / more than ${MAX_POSITIONS} vertices`);
  if (!inLonLat(coordinates)) throw unprocessable(field, 'coordonnées hors longitude/latitude (EPSG:4326 attendu) / coordinates outside longitude/latitude (EPSG:4326 expected)');
}
