// Entry point: loads config, territory and layers, then wires the map, the side panel (tools, layers,
// the map in words), the selection and the language switch.
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
// MapLibre's worker is a separate module; bundled as a hashed same-origin asset so no CDN is needed.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { fetchConfig, fetchLayers, fetchTerritory, type Lang, type LayerInfo, type Territory } from './api.ts';
import { buildBaseStyle } from './basemap.ts';
import type { FeatureHit, NameOf } from './feature-details.ts';
import { setupMapSummary } from './map-summary.ts';
import { renderBasemapChooser, renderNavigation } from './map-tools.ts';
import { readView, showView } from './permalink.ts';
import { communesOf, fetchBusinessZones, type Place } from './places.ts';
import { mapLocale, relabelMapControls } from './controls-i18n.ts';
import { applyStaticStrings, getLang, initialLang, onLangChange, setLang } from './i18n.ts';
import { renderLayerPanel, type LayerPanel } from './legend.ts';
import { sourceIdOf, styleLayerIds } from './layers-style.ts';
import { addDataLayers, type DataLayers } from './map-layers.ts';
import { followTileVersions } from './tile-versions.ts';
import { addTerritoryOutline, FALLBACK_VIEW, territoryBbox, toBounds } from './territory.ts';
import { announceError, setBusy } from './status.ts';
import { setupLanguageSwitch, setupPanelToggle } from './chrome.ts';
import { setupSelection } from './selection.ts';

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

/** The thematic features drawn in a screen box, topmost first, one per feature id and layer. */
function featuresIn(map: MapLibreMap, data: DataLayers, box?: [[number, number], [number, number]]): FeatureHit[] {
  const layers = data.styleLayerIds.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  const seen = new Set<string>();
  const hits: FeatureHit[] = [];
  for (const feature of box ? map.queryRenderedFeatures(box, { layers }) : map.queryRenderedFeatures({ layers })) {
    const layer = data.layerOfSource(feature.source);
    const key = `${feature.source}/${feature.id ?? JSON.stringify(feature.properties)}`;
    if (!layer || seen.has(key)) continue;
    seen.add(key);
    hits.push({ layer, properties: feature.properties ?? {} });
  }
  return hits;
}

const hitBox = (p: { x: number; y: number }): [[number, number], [number, number]] =>
  [[p.x - HIT_TOLERANCE, p.y - HIT_TOLERANCE], [p.x + HIT_TOLERANCE, p.y + HIT_TOLERANCE]];

/**
 * The skip links move the focus without touching the address bar: its hash is the map's view.
 * "To the map" focuses the canvas itself, where the keyboard moves the map.
 */
function setupSkipLinks(map: MapLibreMap): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('.skip-link')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const target = link.getAttribute('href') === '#map' ? map.getCanvas() : document.querySelector<HTMLElement>(link.getAttribute('href')!);
      target?.focus();
    });
  }
}

function createMap(territory: Territory | null): MapLibreMap {
  const bbox = territory ? territoryBbox(territory) : null;
  const narrow = window.matchMedia('(max-width: 639px)').matches;
  return new MapLibreMap({
    container: 'map',
    style: buildBaseStyle(),
    // Centre and zoom live in the address bar's hash, so every view has a permalink.
    hash: true,
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

  // Read before the map writes its own view into the hash.
  const viewInUrl = window.location.hash !== '';
  const map = createMap(territory);
  if (map.getZoom() < OPENING_MIN_ZOOM && !viewInUrl) map.jumpTo({ zoom: OPENING_MIN_ZOOM });
  window.websigMap = map;
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.getCanvas().setAttribute('aria-describedby', 'map-hint');
  const closeSheet = setupPanelToggle(() => map.resize());
  setupSkipLinks(map);

  // Zone names stand for the zone ids lots carry; filled when the list arrives.
  const names = new Map<string, Map<string, string>>();
  const nameOf: NameOf = (layerId, id) => names.get(layerId)?.get(id);
  let data: DataLayers | null = null;
  setupSelection(map, { featuresAt: (p) => (data ? featuresIn(map, data, hitBox(p)) : []), nameOf, onSelect: closeSheet, viewInUrl });
  const view = readView(window.location.search);
  let panel: LayerPanel | null = null;

  const zonesResult = fetchBusinessZones().catch((error: unknown): Place[] => {
    console.error(error);
    return [];
  });

  map.on('load', () => {
    const tools = document.getElementById('map-tools') as HTMLElement;
    renderBasemapChooser(tools, map, { basemap: view.basemap ?? config?.basemap ?? 'none', cadastre: view.cadastre ?? false });
    data = addDataLayers(map, layers ?? []);
    const shown = data;
    followTileVersions(map, shown.layers.map((layer) => sourceIdOf(layer)), config?.tileVersionPollS ?? 0);
    if (view.layers) for (const layer of shown.layers) shown.setVisible(layer.id, view.layers.includes(layer.id));
    const firstPointLayer = shown.layers.find((layer) => layer.geometryType === 'Point');
    if (territory) addTerritoryOutline(map, territory, firstPointLayer && styleLayerIds(firstPointLayer)[0]);

    panel = renderLayerPanel(document.getElementById('layer-list') as HTMLElement, shown, () =>
      showView({ layers: shown.layers.filter((layer) => shown.isVisible(layer.id)).map((layer) => layer.id) }));
    panel.updateZoom(map.getZoom());
    map.on('zoomend', () => panel?.updateZoom(map.getZoom()));
    map.on('mousemove', (e) => {
      map.getCanvas().style.cursor = featuresIn(map, shown, hitBox(e.point)).length > 0 ? 'pointer' : '';
    });
    setupMapSummary(document.getElementById('map-summary') as HTMLElement, map, { visibleFeatures: () => featuresIn(map, shown), nameOf });
    void zonesResult.then((zones) => {
      names.set('business_zones', new Map(zones.map((zone) => [zone.id, zone.name])));
      renderNavigation(tools, map, { communes: territory ? communesOf(territory) : [], zones });
    });

    // A layer whose data cannot be fetched is reported once, by name; basemap tile errors are not ours to report.
    const reported = new Set<string>();
    map.on('error', (event) => {
      const sourceId = (event as { sourceId?: string }).sourceId;
      const layer = sourceId ? shown.layerOfSource(sourceId) : undefined;
      if (!layer || reported.has(layer.id)) return;
      reported.add(layer.id);
      announceError('layerError', { title: layer.title });
    });

    // Tests wait for this flag: the first render once every source and style layer exists.
    map.once('idle', () => {
      setBusy(false);
      document.documentElement.dataset.mapIdle = '1';
      // The benchmark's "navigation start → map idle" (bench/web.bench.ts).
      performance.mark('websig:map-idle');
    });
  });

  setupLanguageSwitch((next) => setLang(next, { remember: true }));
  onLangChange(() => {
    applyStaticStrings();
    relabelMapControls(map);
    panel?.relabel();
    panel?.updateZoom(map.getZoom());
  });
  relabelMapControls(map);
}

start().catch((error: unknown) => {
  // Typically no WebGL: say so instead of leaving an empty page.
  console.error(error);
  announceError('mapError');
  setBusy(false);
});
