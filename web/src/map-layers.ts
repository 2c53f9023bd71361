// Adds the thematic layers to the map and owns their visibility and (deferred) GeoJSON downloads.
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { LayerInfo } from './api.ts';
import { absoluteUrl, buildSource, buildStyleLayers, byDrawingOrder, sourceIdOf, styleLayerIds, usesTiles } from './layers-style.ts';

/** What the panel and the popups need to know about the layers on the map. */
export interface DataLayers {
  /** The layers in drawing order, lowest first. */
  readonly layers: readonly LayerInfo[];
  isVisible(layerId: string): boolean;
  setVisible(layerId: string, visible: boolean): void;
  /** Style layer ids of every thematic layer, for hit-testing clicks and hovers. */
  readonly styleLayerIds: readonly string[];
  /** The layer a rendered feature's source belongs to. */
  layerOfSource(sourceId: string): LayerInfo | undefined;
}

/**
 * GeoJSON is downloaded only once the layer is visible and the map is near its zoom range: the whole
 * cadastre or address base is heavy, and hidden or out-of-range layers would be fetched for nothing.
 * One zoom of margin so data is usually there by the time the user reaches the range.
 */
function wantsData(layer: LayerInfo, visible: boolean, zoom: number): boolean {
  return visible && zoom >= layer.minzoom - 1;
}

/** Adds one source and its style layers per layer, in drawing order, and returns their controller. */
export function addDataLayers(map: MapLibreMap, layers: readonly LayerInfo[]): DataLayers {
  const ordered = byDrawingOrder(layers);
  const visible = new Map(ordered.map((layer) => [layer.id, layer.style.visible]));
  const loaded = new Set<string>();

  const loadIfWanted = (layer: LayerInfo): void => {
    if (usesTiles(layer) || loaded.has(layer.id)) return;
    if (!wantsData(layer, visible.get(layer.id) ?? false, map.getZoom())) return;
    loaded.add(layer.id);
    map.getSource<GeoJSONSource>(sourceIdOf(layer))?.setData(absoluteUrl(layer.geojson));
  };

  for (const layer of ordered) {
    const deferred = !usesTiles(layer) && !wantsData(layer, layer.style.visible, map.getZoom());
    if (!usesTiles(layer) && !deferred) loaded.add(layer.id);
    map.addSource(sourceIdOf(layer), buildSource(layer, deferred));
    for (const spec of buildStyleLayers(layer)) map.addLayer(spec);
  }
  map.on('zoomend', () => ordered.forEach(loadIfWanted));

  const byId = new Map(ordered.map((layer) => [layer.id, layer]));
  return {
    layers: ordered,
    styleLayerIds: ordered.flatMap(styleLayerIds),
    isVisible: (layerId) => visible.get(layerId) ?? false,
    setVisible(layerId, on) {
      const layer = byId.get(layerId);
      if (!layer) throw new Error(`setVisible: unknown layer "${layerId}"`);
      visible.set(layerId, on);
      for (const id of styleLayerIds(layer)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
      loadIfWanted(layer);
    },
    layerOfSource: (sourceId) => byId.get(sourceId),
  };
}
