// The catalogue's map: the listed lots coloured by status, the open lot outlined; a click on a lot opens it.
import { LngLatBounds, Map as MapLibreMap, NavigationControl, setWorkerUrl, type GeoJSONSource } from 'maplibre-gl';
// MapLibre's worker as a hashed same-origin asset, as on the map page: no CDN.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { FeatureCollection } from 'geojson';
import { buildBaseStyle, setBasemap } from '../basemap.ts';
import type { BasemapKind } from '../api.ts';
import type { LotFeature } from './catalogue-api.ts';

const STATUS_COLOURS = ['match', ['get', 'status'], 'available', '#1b7a3a', 'optioned', '#c77700', 'reserved', '#b35900', '#6b7075'];

export interface CatalogueMap {
  showLots(lots: LotFeature[]): void;
  /** Outlines `lot` and brings it into view (null clears the outline). */
  focus(lot: LotFeature | null): void;
}

function bounds(features: { geometry: LotFeature['geometry'] }[]): LngLatBounds | undefined {
  const b = new LngLatBounds();
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') b.extend([c[0] as number, c[1] as number]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  for (const f of features) walk((f.geometry as { coordinates: unknown }).coordinates);
  return b.isEmpty() ? undefined : b;
}

setWorkerUrl(workerUrl);

export function createCatalogueMap(container: HTMLElement, basemap: BasemapKind, open: (id: number) => void): CatalogueMap {
  const map = new MapLibreMap({ container, style: buildBaseStyle(), center: [-1.96, 48.14], zoom: 11, attributionControl: { compact: true } });
  map.addControl(new NavigationControl({ showCompass: false }));
  const empty: FeatureCollection = { type: 'FeatureCollection', features: [] };
  let pending: (() => void)[] = [];
  let ready = false;
  map.on('load', () => {
    setBasemap(map, basemap);
    map.addSource('lots', { type: 'geojson', data: empty, promoteId: 'id' });
    map.addSource('focus', { type: 'geojson', data: empty });
    map.addLayer({ id: 'lots-fill', type: 'fill', source: 'lots', paint: { 'fill-color': STATUS_COLOURS as never, 'fill-opacity': 0.55 } });
    map.addLayer({ id: 'lots-line', type: 'line', source: 'lots', paint: { 'line-color': '#1d3b5a', 'line-width': 1 } });
    map.addLayer({ id: 'focus-line', type: 'line', source: 'focus', paint: { 'line-color': '#000', 'line-width': 3 } });
    map.on('click', 'lots-fill', (e) => {
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'number') open(id);
    });
    ready = true;
    for (const run of pending) run();
    pending = [];
  });
  // Tests and screenshots wait for the rendered map, never for a fixed time.
  map.on('idle', () => document.documentElement.setAttribute('data-map-idle', '1'));
  const whenReady = (run: () => void) => (ready ? run() : pending.push(run));

  return {
    showLots(lots) {
      whenReady(() => {
        document.documentElement.removeAttribute('data-map-idle');
        (map.getSource('lots') as GeoJSONSource).setData({ type: 'FeatureCollection', features: lots.map((l) => ({ ...l, properties: { ...l.properties } })) });
        const b = bounds(lots);
        if (b) map.fitBounds(b, { padding: 30, maxZoom: 16, animate: false });
      });
    },
    focus(lot) {
      whenReady(() => {
        document.documentElement.removeAttribute('data-map-idle');
        (map.getSource('focus') as GeoJSONSource).setData(lot ? { type: 'FeatureCollection', features: [lot] } : empty);
        const b = lot && bounds([lot]);
        if (b) map.fitBounds(b, { padding: 60, maxZoom: 17, animate: false });
      });
    },
  };
}
