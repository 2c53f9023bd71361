// The parameters each download accepts, and their parsers.
import { badRequest } from '../http/errors.ts';
import { rejectUnknownParameters, single, type RawQuery } from '../http/params.ts';
import type { DownloadFormat } from './download-formats.ts';

/** GeoJSON is WGS84 by definition (RFC 7946); CSV and GeoPackage may be in Lambert-93. */
export const DOWNLOAD_PARAMETERS: Readonly<Record<DownloadFormat, readonly string[]>> = {
  geojson: [],
  csv: ['crs'],
  gpkg: ['crs'],
};

export type DownloadSrid = 4326 | 2154;

const SRIDS: Readonly<Record<string, DownloadSrid>> = {
  '4326': 4326,
  'EPSG:4326': 4326,
  'http://www.opengis.net/def/crs/OGC/1.3/CRS84': 4326,
  '2154': 2154,
  'EPSG:2154': 2154,
  'http://www.opengis.net/def/crs/EPSG/0/2154': 2154,
};

/** The SRID of a download's coordinates: `crs=4326` (default, lon/lat) or `crs=2154` (Lambert-93 x/y). */
export function parseDownloadQuery(query: RawQuery, format: DownloadFormat): DownloadSrid {
  rejectUnknownParameters(query, new Set(DOWNLOAD_PARAMETERS[format]));
  const raw = single(query, 'crs');
  if (raw === undefined) return 4326;
  const srid = SRIDS[raw];
  if (!srid) throw badRequest(`crs must be 4326 (WGS84 lon/lat) or 2154 (Lambert-93 x/y), got "${raw}"`);
  return srid;
}
