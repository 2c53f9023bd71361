// Typed fetchers for the public catalogue API (/api/catalogue/*, /api/dashboard, enquiries).
import type { Geometry } from 'geojson';

export interface LotProperties {
  id: number;
  zone_id: number;
  zone_code: string;
  zone_name: string;
  commune: string | null;
  lot_number: string;
  status: string;
  area_m2: number;
  price_per_m2: number | null;
  activity: string | null;
  serviced: boolean | null;
  water: boolean | null;
  sewer: boolean | null;
  electricity: boolean | null;
  fibre_ready: boolean | null;
  fibre_status: string;
}

export interface LotFeature {
  type: 'Feature';
  id: number;
  geometry: Geometry;
  properties: LotProperties;
}

export interface LotPage extends LotFeature {
  on_market: boolean;
  /** Days an enquiry is kept, stated in the form's consent line. */
  enquiry_retention_days: number;
  fibre: { status: string; summary_fr: string } | null;
  neighbours: { id: number; lot_number: string; status: string; area_m2: number }[];
  attachments: { id: number; file_name: string; content_type: string; size_bytes: number }[];
}

export interface CatalogueZone {
  id: number;
  code: string;
  name: string;
  commune: string | null;
  lots_on_market: number;
}

export interface ZoneFigures {
  zone: { id: number; code: string; name: string } | null;
  lots_total: number;
  by_status: Record<string, { lots: number; area_m2: number }>;
  occupancy_rate: number | null;
  vacancy_rate: number | null;
  area_available_m2: number;
  fibre_share_by_count: number | null;
}

export interface Dashboard {
  statuses: string[];
  overall: ZoneFigures;
  zones: ZoneFigures[];
}

/** A refused request with the server's `{code, description}` (and the faulty fields of a 422). */
export class RequestError extends Error {
  constructor(readonly status: number, message: string, readonly fields: { field: string; message: string }[] = []) {
    super(message);
  }
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = (await response.json()) as T & { description?: string };
  if (!response.ok) throw new RequestError(response.status, body.description ?? response.statusText);
  return body;
}

export const fetchLots = (query: URLSearchParams) =>
  getJson<{ features: LotFeature[] }>(`/api/catalogue/lots?${query.toString()}`).then((c) => c.features);
export const fetchZones = () => getJson<{ zones: CatalogueZone[] }>('/api/catalogue/zones').then((z) => z.zones);
export const fetchLot = (id: number) => getJson<LotPage>(`/api/catalogue/lots/${id}`);
export const fetchDashboard = () => getJson<Dashboard>('/api/dashboard');

export async function sendEnquiry(lotId: number, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`/api/lots/${lotId}/enquiries`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return;
  const error = (await response.json().catch(() => ({}))) as { description?: string; fields?: { field: string; message: string }[] };
  throw new RequestError(response.status, error.description ?? response.statusText, error.fields ?? []);
}
