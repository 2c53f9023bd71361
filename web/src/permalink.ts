// The permalink: the page's address names the whole view, so a copied link reopens it. The hash holds
// centre and zoom (MapLibre's `#map=zoom/lat/lon`); the query string holds the selection (?address=…,
// ?parcel=…, ?lot=…, ?zone=… or ?lon=…&lat=…), the visible layers, the basemap and the cadastre overlay.
import type { BasemapKind } from './api.ts';
import { BASEMAP_KINDS } from './basemap.ts';
import { targetQuery, type Target } from './eligibility-api.ts';

const TARGET_KEYS = ['address', 'parcel', 'lot', 'zone', 'lon', 'lat'];

/** The target named by a query string, if it names one. */
export function readTarget(search: string): Target | null {
  const params = new URLSearchParams(search);
  const lon = Number(params.get('lon'));
  const lat = Number(params.get('lat'));
  if (params.has('lon') && params.has('lat') && Number.isFinite(lon) && Number.isFinite(lat)) return { kind: 'point', lon, lat };
  const address = params.get('address');
  if (address) return { kind: 'address', id: address };
  const parcel = params.get('parcel');
  if (parcel) return { kind: 'parcel', id: parcel };
  for (const kind of ['lot', 'zone'] as const) {
    const id = Number(params.get(kind));
    if (Number.isInteger(id) && id > 0) return { kind, id };
  }
  return null;
}

/** What the query string says about the map itself; absent keys leave the defaults. */
export interface ViewQuery {
  /** Ids of the visible thematic layers. */
  layers?: string[];
  basemap?: BasemapKind;
  cadastre?: boolean;
}

export function readView(search: string): ViewQuery {
  const params = new URLSearchParams(search);
  const view: ViewQuery = {};
  const layers = params.get('layers');
  if (layers !== null) view.layers = layers.split(',').filter(Boolean);
  const basemap = params.get('basemap');
  if (BASEMAP_KINDS.includes(basemap as BasemapKind)) view.basemap = basemap as BasemapKind;
  if (params.has('cadastre')) view.cadastre = params.get('cadastre') === '1';
  return view;
}

/** The page URL naming `target` (null: naming nothing), the view kept. */
export function permalinkOf(target: Target | null, base: string = window.location.href): string {
  const url = new URL(base);
  for (const key of TARGET_KEYS) url.searchParams.delete(key);
  if (target) for (const [key, value] of targetQuery(target)) url.searchParams.set(key, value);
  return url.toString();
}

/** Puts the target in the address bar without adding a history entry per click. */
export function showPermalink(target: Target | null): void {
  window.history.replaceState(window.history.state, '', permalinkOf(target));
}

/** Writes one part of the view into the address bar (null removes it). */
export function showView(view: ViewQuery): void {
  const url = new URL(window.location.href);
  if (view.layers) url.searchParams.set('layers', view.layers.join(','));
  if (view.basemap) url.searchParams.set('basemap', view.basemap);
  if (view.cadastre !== undefined) {
    if (view.cadastre) url.searchParams.set('cadastre', '1');
    else url.searchParams.delete('cadastre');
  }
  window.history.replaceState(window.history.state, '', url.toString());
}
