// Adds the thematic layers to the map and owns their visibility.
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { LayerInfo } from './api.ts';
import { buildSource, buildStyleLayers, byDrawingOrder, sourceIdOf, styleLayerIds } from './layers-style.ts';

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

/** Adds one source and its style layers per layer, in drawing order, and returns their controller. */
export function addDataLayers(map: MapLibreMap, layers: readonly LayerInfo[]): DataLayers {
  const ordered = byDrawingOrder(layers);
  const visible = new Map(ordered.map((layer) => [layer.id, layer.style.visible]));
  for (const layer of ordered) {
    map.addSource(sourceIdOf(layer), buildSource(layer));
    for (const spec of buildStyleLayers(layer)) map.addLayer(spec);
  }

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
    },
    layerOfSource: (sourceId) => byId.get(sourceId),
  };
}
