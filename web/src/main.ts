// Entry point: loads config, territory and layers, then wires the map, the panel, the popup and the language switch.
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { MapMouseEvent } from 'maplibre-gl';
// MapLibre's worker is a separate module; bundled as a hashed same-origin asset so no CDN is needed.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { fetchConfig, fetchLayers, fetchTerritory, type AppConfig, type Lang, type LayerInfo, type Territory } from './api.ts';
import { buildBaseStyle } from './basemap.ts';
import { mapLocale, relabelMapControls } from './controls-i18n.ts';
import { applyStaticStrings, getLang, initialLang, onLangChange, setLang } from './i18n.ts';
import { renderLayerPanel, type LayerPanel } from './legend.ts';
import { styleLayerIds } from './layers-style.ts';
import { addDataLayers, type DataLayers } from './map-layers.ts';
import { FeaturePopup } from './popup.ts';
import { addTerritoryOutline, FALLBACK_VIEW, territoryBbox, toBounds } from './territory.ts';
import { announceError, setBusy } from './status.ts';
import { setupLanguageSwitch, setupPanelToggle } from './chrome.ts';
import { setupEligibility } from './eligibility-ui.ts';

declare global {
  interface Window {
    /** The map instance, for tests and debugging from the console. */
    websigMap?: MapLibreMap;
  }
}

/** Pixels around a click or tap that still hit a feature: points are small and fingers are not. */
const HIT_TOLERANCE = 8;
/**
 * The opening view never starts below this zoom, where the public point layers (wifi, incidents) begin:
 * on a phone the territory fitted edge to edge lands just under it and would open on an empty outline.
 * At this zoom a 390 px screen still shows all but a few pixels of the territory.
 */
const OPENING_MIN_ZOOM = 10;

setWorkerUrl(workerUrl);

function settled<T>(result: PromiseSettledResult<T>): T | null {
  if (result.status === 'fulfilled') return result.value;
  console.error(result.reason);
  return null;
}

/** Opens the popup of the topmost visible feature near the click, if any. */
function wireFeaturePopup(map: MapLibreMap, data: DataLayers, popup: FeaturePopup): void {
  const hitBox = (e: MapMouseEvent): [[number, number], [number, number]] => [
    [e.point.x - HIT_TOLERANCE, e.point.y - HIT_TOLERANCE],
    [e.point.x + HIT_TOLERANCE, e.point.y + HIT_TOLERANCE],
  ];
  const visibleStyleLayers = (): string[] => data.styleLayerIds.filter((id) => map.getLayer(id) &&
    map.getLayoutProperty(id, 'visibility') !== 'none');

  map.on('click', (e) => {
    const [feature] = map.queryRenderedFeatures(hitBox(e), { layers: visibleStyleLayers() });
    const layer = feature && data.layerOfSource(feature.source);
    if (!feature || !layer) return;
    // Points anchor at the point itself; areas at the click.
    const at = feature.geometry.type === 'Point' ? (feature.geometry.coordinates as [number, number]) : e.lngLat;
    popup.show(at, layer, feature.properties ?? {});
  });
  map.on('mousemove', (e) => {
    const hit = map.queryRenderedFeatures(hitBox(e), { layers: visibleStyleLayers() }).length > 0;
    map.getCanvas().style.cursor = hit ? 'pointer' : '';
  });
}

function createMap(config: AppConfig | null, territory: Territory | null): MapLibreMap {
  const bbox = territory ? territoryBbox(territory) : null;
  const narrow = window.matchMedia('(max-width: 639px)').matches;
  return new MapLibreMap({
    container: 'map',
    style: buildBaseStyle(config?.basemap ?? 'none'),
    ...(bbox ? { bounds: toBounds(bbox), fitBoundsOptions: { padding: narrow ? 16 : 40 } } : FALLBACK_VIEW),
    minZoom: 6,
    maxZoom: 20,
    locale: mapLocale(),
  });
}

async function start(): Promise<void> {
  setLang(getLang());
  applyStaticStrings();
  setBusy(true);
  const [configResult, territoryResult, layersResult] = await Promise.allSettled([
    fetchConfig(), fetchTerritory(), fetchLayers(),
  ]);
  const config = settled(configResult);
  const territory = settled(territoryResult);
  const layers: LayerInfo[] | null = settled(layersResult);

  const lang: Lang = initialLang(config?.defaultLang ?? 'fr');
  setLang(lang);
  applyStaticStrings();
  if (!config) announceError('configError');
  if (!territory) announceError('territoryError');
  if (!layers) announceError('layersError');

  const map = createMap(config, territory);
  if (map.getZoom() < OPENING_MIN_ZOOM) map.jumpTo({ zoom: OPENING_MIN_ZOOM });
  window.websigMap = map;
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  setupPanelToggle(() => map.resize());

  const popup = new FeaturePopup(map);
  setupEligibility(map);
  let panel: LayerPanel | null = null;

  map.on('load', () => {
    const data = addDataLayers(map, layers ?? []);
    const firstPointLayer = data.layers.find((layer) => layer.geometryType === 'Point');
    if (territory) addTerritoryOutline(map, territory, firstPointLayer && styleLayerIds(firstPointLayer)[0]);

    panel = renderLayerPanel(document.getElementById('layer-list') as HTMLElement, data);
    panel.updateZoom(map.getZoom());
    map.on('zoomend', () => panel?.updateZoom(map.getZoom()));
    wireFeaturePopup(map, data, popup);

    // A layer whose data cannot be fetched is reported once, by name; basemap tile errors are not ours to report.
    const reported = new Set<string>();
    map.on('error', (event) => {
      const sourceId = (event as { sourceId?: string }).sourceId;
      const layer = sourceId ? data.layerOfSource(sourceId) : undefined;
      if (!layer || reported.has(layer.id)) return;
      reported.add(layer.id);
      announceError('layerError', { title: layer.title });
    });

    // Tests wait for this flag: the first render once every source and style layer exists.
    map.once('idle', () => {
      setBusy(false);
      document.documentElement.dataset.mapIdle = '1';
    });
  });

  setupLanguageSwitch((next) => setLang(next, { remember: true }));
  onLangChange(() => {
    applyStaticStrings();
    relabelMapControls(map);
    panel?.relabel();
    panel?.updateZoom(map.getZoom());
    popup.relabel();
  });
  relabelMapControls(map);
}

start().catch((error: unknown) => {
  // Typically no WebGL: say so instead of leaving an empty page.
  console.error(error);
  announceError('mapError');
  setBusy(false);
});
