// The shapes the lots panel reads from the API: zones, lots (every field, for staff), the staff
// layer description and a lot's history.
import type { Feature, FeatureCollection, LineString, MultiPolygon, Polygon } from 'geojson';
import type { FieldInfo, LayerInfo } from '../api.ts';

/** A field as GET /api/layers/{id} describes it to staff. */
export interface StaffField extends FieldInfo {
  public: boolean;
  required?: boolean;
  /** Filled by the database (area, version, dates of change): shown, never edited. */
  computed?: boolean;
}

export interface StaffLayerInfo extends Omit<LayerInfo, 'fields'> {
  fields: StaffField[];
}

export type LotProperties = Record<string, string | number | boolean | null> & {
  zone_id: number;
  lot_number: string;
  status: string;
  version: number;
};

export type LotFeature = Feature<MultiPolygon, LotProperties> & { id: number };
export type ZoneFeature = Feature<MultiPolygon, { code: string; name: string; commune: string; version: number } & Record<string, unknown>> & { id: number };

export type LotCollection = FeatureCollection<MultiPolygon, LotProperties> & { features: LotFeature[] };
export type ZoneCollection = FeatureCollection<MultiPolygon> & { features: ZoneFeature[] };

/** A lot as read with its ETag, which every change of it sends back as If-Match. */
export interface LoadedLot {
  lot: LotFeature;
  etag: string | null;
}

/** A surface or a cutting line drawn on the map. */
export type DrawnPolygon = Polygon;
export type DrawnLine = LineString;

/** One audit entry of a lot (GET /api/lots/{id}/history). */
export interface AuditEntry {
  id: number;
  action: string;
  at: string;
  user: { id: number; email: string } | null;
  /** `before` and `after` hold the changed fields (or the whole lot when created or deleted). */
  details: { before?: Record<string, unknown>; after?: Record<string, unknown>; undoes?: number; version?: number } | null;
}

/** A link of lineage: the other lot, and whether it was a split or a merge. */
export interface LineageLink {
  id: number;
  operation: string;
  at: string;
}

export interface LotHistory {
  entries: AuditEntry[];
  lineage: { parents: LineageLink[]; children: LineageLink[] };
}
