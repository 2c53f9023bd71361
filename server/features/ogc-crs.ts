// The coordinate reference systems the OGC API offers (Part 2, CRS by reference), and their axis orders.

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

export interface CrsDef {
  /** The OGC URI clients name it by (`crs=`, `bbox-crs=`, `Content-Crs`). */
  readonly uri: string;
  /** The PostGIS SRID to transform to. */
  readonly srid: 4326 | 2154;
  /** EPSG:4326 is latitude first: coordinates are written and read as (lat, lon). */
  readonly latLon: boolean;
  /** Decimals kept in output: 7 for degrees (~1 cm), 2 for metres. */
  readonly decimals: number;
  /** Where the CRS is usable, in its own axis order (minX, minY, maxX, maxY); bboxes are clipped to it. */
  readonly validArea: readonly [number, number, number, number];
}

/** CRS84 first: it is the storage CRS and the default of both `crs` and `bbox-crs`. */
export const SUPPORTED_CRS: readonly CrsDef[] = Object.freeze([
  { uri: CRS84, srid: 4326, latLon: false, decimals: 7, validArea: [-180, -90, 180, 90] },
  { uri: 'http://www.opengis.net/def/crs/EPSG/0/4326', srid: 4326, latLon: true, decimals: 7, validArea: [-90, -180, 90, 180] },
  // Lambert-93's EPSG area of use (metropolitan France), in projected metres with a margin: PROJ
  // returns meaningless coordinates far outside it rather than failing.
  { uri: 'http://www.opengis.net/def/crs/EPSG/0/2154', srid: 2154, latLon: false, decimals: 2, validArea: [-500_000, 5_900_000, 1_400_000, 7_300_000] },
]);

export const DEFAULT_CRS: CrsDef = SUPPORTED_CRS[0]!;

/** The CRS named by a URI, or undefined when the API does not offer it. */
export function findCrs(uri: string): CrsDef | undefined {
  return SUPPORTED_CRS.find((c) => c.uri === uri);
}

/** The `Content-Crs` header value: the URI in angle brackets (OGC API – Features Part 2). */
export function contentCrsHeader(crs: CrsDef): string {
  return `<${crs.uri}>`;
}
