// Bounded parsers for query parameters; each throws a 400 that says what was expected.
import { badRequest } from './errors.ts';

/** A raw query string as Koa parses it: repeated keys become arrays. */
export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

/** The value of a single-valued parameter; a repeated one is a 400. */
export function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw badRequest(`parameter "${name.slice(0, 40)}" is given ${value.length} times; give it once`);
  return value;
}

/** Refuses any parameter the endpoint does not define, so a misspelt one is not silently ignored
 *  (OGC API – Features /req/core/query-param-unknown). */
export function rejectUnknownParameters(query: RawQuery, known: ReadonlySet<string> | readonly string[]): void {
  const accepted = [...known];
  for (const name of Object.keys(query)) {
    if (!accepted.includes(name)) {
      const hint = accepted.length ? `accepts: ${accepted.join(', ')}` : 'takes no parameters';
      throw badRequest(`unknown parameter "${name.slice(0, 40)}"; this endpoint ${hint}`, 'InvalidParameter');
    }
  }
}

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
