// Typed fetchers for the same-origin JSON APIs the map is built from (/api/config, /api/territory, /layers).
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';

export type Lang = 'fr' | 'en';
/** A text in both languages of the app. */
export type Localized = Readonly<Record<Lang, string>>;

export type BasemapKind = 'ign-plan' | 'ign-ortho' | 'osm' | 'none';

export interface AppConfig {
  basemap: BasemapKind;
  defaultLang: Lang;
  /** Seconds between two checks for new layer versions (0: never). */
  tileVersionPollS: number;
}

export interface CodeValueInfo {
  value: string;
  label: Localized;
  color?: string;
}

export interface FieldInfo {
  name: string;
  type: string;
  label: Localized;
  values?: CodeValueInfo[];
  /** The integer names a feature of another layer, shown by that feature's `label` property. */
  references?: { layer: string; label: string };
  /** Bookkeeping (an edit counter), left out when a feature is described. */
  internal?: boolean;
  /** `siret`: 14 digits grouped as written in France. */
  format?: 'siret';
  /** Inclusive bounds of an integer (a year). */
  range?: { min: number; max: number };
}

export interface LegendEntry {
  /** Code-list value, or null for the "anything else" colour. */
  value: string | null;
  label: Localized;
  color: string;
}

/** The public part of a layer description, as served by `GET /layers`. */
export interface LayerInfo {
  id: string;
  title: Localized;
  description: Localized;
  geometryType: 'Point' | 'MultiPolygon';
  minzoom: number;
  maxzoom: number;
  fields: FieldInfo[];
  /** `label`: the property naming a feature in lists. */
  style: { colorBy?: string; color: string; order: number; visible: boolean; label?: string };
  legend: LegendEntry[];
  /** URL of the layer's TileJSON (its vector tiles). */
  tilejson: string;
}

export type Bbox = [number, number, number, number];

export type Territory = FeatureCollection<Polygon | MultiPolygon, { code_insee: string; nom: string }> & {
  bbox?: Bbox;
};

/** Fetches JSON, throwing an error that names the URL and status so failures are diagnosable. */
async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  return response.json();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The deployment's settings; unknown values fall back to the safe defaults (no basemap, French). */
export async function fetchConfig(): Promise<AppConfig> {
  const body = await fetchJson('/api/config');
  const raw = isObject(body) ? body : {};
  const kinds: readonly unknown[] = ['ign-plan', 'ign-ortho', 'osm', 'none'];
  const basemap = (kinds.includes(raw.basemap) ? raw.basemap : 'none') as BasemapKind;
  const defaultLang: Lang = raw.defaultLang === 'en' ? 'en' : 'fr';
  const poll = Number(raw.tileVersionPollS);
  const tileVersionPollS = Number.isFinite(poll) && poll >= 0 ? poll : 0;
  return { basemap, defaultLang, tileVersionPollS };
}

/** The communes of the territory, with the collection's bbox. */
export async function fetchTerritory(): Promise<Territory> {
  const body = await fetchJson('/api/territory');
  if (!isObject(body) || body.type !== 'FeatureCollection' || !Array.isArray(body.features)) {
    throw new Error('GET /api/territory: expected a GeoJSON FeatureCollection');
  }
  return body as unknown as Territory;
}

/** The layer descriptions, in drawing order. */
export async function fetchLayers(): Promise<LayerInfo[]> {
  const body = await fetchJson('/layers');
  if (!isObject(body) || !Array.isArray(body.layers)) throw new Error('GET /layers: expected { layers: [...] }');
  return body.layers as LayerInfo[];
}
