// The lots panel's map: one zone's outline and its lots from the staff API, coloured by status with the
// layer description's colours (as the public map and its legend), the selected lot outlined.
import { LngLatBounds, Map as MapLibreMap, NavigationControl, setWorkerUrl, type GeoJSONSource } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { FeatureCollection } from 'geojson';
import type { LayerInfo } from '../api.ts';
import { fetchConfig } from '../api.ts';
import { buildBaseStyle, setBasemap } from '../basemap.ts';
import { mapLocale } from '../controls-i18n.ts';
import { colorExpression } from '../layers-style.ts';
import type { LotCollection, StaffLayerInfo, ZoneFeature } from './lot-types.ts';

declare global {
  interface Window {
    /** The console's lots map, for tests (queryRenderedFeatures) and debugging. */
    websigConsoleMap?: MapLibreMap;
  }
}

/** Style layer of the lot surfaces: what a click hits and what tests read back. */
export const LOTS_FILL = 'lots-fill';
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };
const NONE = -1;

setWorkerUrl(workerUrl);

export interface LotsMap {
  readonly map: MapLibreMap;
  /** Resolves once the style and the lot layers exist. */
  readonly ready: Promise<void>;
  showZone(zone: ZoneFeature): void;
  setLots(lots: LotCollection): void;
  select(id: number | null): void;
  /** Clicks on a lot call `listener` unless `enabled()` says the map is busy (drawing). */
  onLotClick(listener: (id: number) => void, enabled: () => boolean): void;
}

export function createLotsMap(container: HTMLElement, layer: StaffLayerInfo): LotsMap {
  const map = new MapLibreMap({ container, style: buildBaseStyle(), center: [-1.97, 48.14], zoom: 12, maxZoom: 20, locale: mapLocale() });
  window.websigConsoleMap = map;
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  const color = colorExpression(layer as unknown as LayerInfo);

  const ready = new Promise<void>((resolve) => {
    map.on('load', () => {
      map.addSource('zone', { type: 'geojson', data: EMPTY });
      map.addSource('lots', { type: 'geojson', data: EMPTY });
      map.addLayer({ id: 'zone-line', type: 'line', source: 'zone', paint: { 'line-color': '#1d3b5a', 'line-width': 2, 'line-dasharray': [2, 1] } });
      map.addLayer({ id: LOTS_FILL, type: 'fill', source: 'lots', paint: { 'fill-color': color, 'fill-opacity': 0.5 } });
      map.addLayer({ id: 'lots-line', type: 'line', source: 'lots', paint: { 'line-color': color, 'line-width': 1.5 } });
      map.addLayer({
        id: 'lots-selected', type: 'line', source: 'lots', filter: ['==', ['id'], NONE],
        paint: { 'line-color': '#0b1f33', 'line-width': 4 },
      });
      void fetchConfig().then((config) => setBasemap(map, config.basemap), () => undefined);
      resolve();
    });
  });

  const geojson = (id: string) => map.getSource(id) as GeoJSONSource;
  return {
    map,
    ready,
    showZone(zone) {
      geojson('zone').setData(zone);
      const bounds = new LngLatBounds();
      for (const polygon of zone.geometry.coordinates) for (const [lon, lat] of polygon[0]!) bounds.extend([lon!, lat!]);
      map.fitBounds(bounds, { padding: 24, duration: 0 });
    },
    setLots(lots) {
      geojson('lots').setData(lots);
    },
    select(id) {
      map.setFilter('lots-selected', ['==', ['id'], id ?? NONE]);
    },
    onLotClick(listener, enabled) {
      map.on('click', LOTS_FILL, (event) => {
        const id = event.features?.[0]?.id;
        if (enabled() && typeof id === 'number') listener(id);
      });
      map.on('mouseenter', LOTS_FILL, () => { if (enabled()) map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', LOTS_FILL, () => { map.getCanvas().style.cursor = ''; });
    },
  };
}
