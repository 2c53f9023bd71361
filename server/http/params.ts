// Bounded parsers for query parameters; each throws a 400 that says what was expected.
import { badRequest } from './errors.ts';

/** Parses `minLon,minLat,maxLon,maxLat` (WGS84 degrees, min ≤ max). */
export function parseBbox(raw: string): [number, number, number, number] {
  const parts = raw.split(',');
  const numbers = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 4 || numbers.some((n) => !Number.isFinite(n))) {
    throw badRequest(`bbox must be four numbers "minLon,minLat,maxLon,maxLat", got "${raw}"`);
  }
  const [minX, minY, maxX, maxY] = numbers as [number, number, number, number];
  if (minX < -180 || maxX > 180 || minY < -90 || maxY > 90) throw badRequest('bbox must lie within -180,-90,180,90');
  if (minX > maxX || minY > maxY) throw badRequest('bbox minimum must not exceed its maximum');
  return [minX, minY, maxX, maxY];
}
