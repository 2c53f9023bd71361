// What every reader hands the pipeline: records with properties and a geometry, plus what it
// knows about the coordinate system and its own progress.
import type { Geometry } from 'geojson';
import type { ResolvedEncoding } from './encoding.ts';

export type SourceFormat = 'shapefile' | 'geojson' | 'csv' | 'geopackage';

/** What a source says about its coordinate system; the CRS step turns it into an SRID. */
export type CrsHint =
  /** A .prj (or GeoPackage) WKT definition. */
  | { kind: 'wkt'; wkt: string; origin: string }
  /** An EPSG code the source states (GeoPackage srs, GeoJSON `crs` member, EWKT). */
  | { kind: 'epsg'; srid: number; origin: string }
  /** Longitude/latitude by definition (GeoJSON, lon/lat CSV columns). */
  | { kind: 'lonlat'; origin: string }
  /** Nothing stated (a shapefile without .prj, x/y or WKT columns). */
  | { kind: 'none'; origin: string };

export interface SourceRecord {
  /** 1-based feature number in the source, used in error reports. */
  row: number;
  properties: Record<string, unknown>;
  geometry: Geometry | null;
  /** Geometry as (E)WKT text, for sources that carry it that way (CSV WKT column). */
  wkt?: string;
  /** A reason the reader could not read this record's geometry (the row is then rejected). */
  error?: string;
}

export interface SourceProgress {
  done: number;
  total: number;
  unit: 'features' | 'bytes';
}

export interface FeatureSource {
  readonly format: SourceFormat;
  /** Source field (column, attribute) names, in file order. */
  readonly fields: readonly string[];
  /** Fields that hold the geometry (CSV coordinate or WKT columns). */
  readonly geometryFields: readonly string[];
  readonly crs: CrsHint;
  /** The text encoding used, for formats that have one. */
  readonly encoding?: ResolvedEncoding;
  /** Sample positions in source coordinates (bbox centre, first features), for CRS checks. */
  readonly samplePositions: readonly (readonly [number, number])[];
  /** Format-specific facts for the summary (delimiter, geometry columns, member…). */
  readonly details: Readonly<Record<string, string>>;
  /** Non-fatal remarks about the file (unsupported field types, skipped records…). */
  readonly warnings: string[];
  /** The records, in file order; `wanted` names the fields to read (formats that can skip the rest do). */
  records(wanted?: ReadonlySet<string>): AsyncIterable<SourceRecord>;
  progress(): SourceProgress;
  close(): Promise<void>;
}

/** A problem with the whole file (not one row): the import stops and the layer is untouched. */
export class SourceError extends Error {}

/** A whole number (a count, a byte offset) as the import's messages and summaries write it:
 *  1,234,567. Grouped here rather than by Intl, whose first formatter sets up ICU: 11 ms, 5 % of
 *  the whole import command for a small file. */
export const formatCount = (n: number): string => String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, ',');
