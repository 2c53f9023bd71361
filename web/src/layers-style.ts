// Pure builders turning a layer description from /layers into a MapLibre source and its style layers.
import type { ExpressionSpecification, LayerSpecification, SourceSpecification } from 'maplibre-gl';
import type { LayerInfo } from './api.ts';

const FILL_OPACITY = 0.35;

/** The source id of a layer: its own id, so a rendered feature's `source` names its layer. */
export function sourceIdOf(layer: LayerInfo): string {
  return layer.id;
}

/** The style layer ids drawn for a layer, bottom first. */
export function styleLayerIds(layer: LayerInfo): string[] {
  return layer.geometryType === 'Point' ? [`${layer.id}-circle`] : [`${layer.id}-fill`, `${layer.id}-line`];
}

/** The layers sorted by `style.order` (lowest drawn first), ties kept in the server's order. */
export function byDrawingOrder(layers: readonly LayerInfo[]): LayerInfo[] {
  return layers.map((layer, index) => ({ layer, index }))
    .sort((a, b) => a.layer.style.order - b.layer.style.order || a.index - b.index)
    .map(({ layer }) => layer);
}

/** Resolves a server URL against the page so the worker (which has another base URL) fetches the same thing. */
function absoluteUrl(url: string): string {
  return new URL(url, document.baseURI).href;
}

/** The layer's source: its vector tiles, whose MVT layer is named after the layer id. */
export function buildSource(layer: LayerInfo): SourceSpecification {
  return { type: 'vector', url: absoluteUrl(layer.tilejson) };
}

/**
 * The feature colour: a `match` on the `colorBy` property over the code-list colours, `style.color`
 * for anything else (missing value, value without colour, or no `colorBy`).
 */
export function colorExpression(layer: LayerInfo): ExpressionSpecification | string {
  const { colorBy, color } = layer.style;
  if (!colorBy) return color;
  const values = layer.fields.find((f) => f.name === colorBy)?.values ?? [];
  const pairs = values.filter((v) => v.color).flatMap((v) => [v.value, v.color as string]);
  if (pairs.length === 0) return color;
  // `to-string` turns null/absent into '' so `match` always sees a string and falls back cleanly.
  return ['match', ['to-string', ['get', colorBy]], ...pairs, color] as unknown as ExpressionSpecification;
}

/** The style layers of one layer: fill + outline for polygons, a white-ringed circle for points. */
export function buildStyleLayers(layer: LayerInfo): LayerSpecification[] {
  const [firstId, secondId] = styleLayerIds(layer);
  const common = {
    source: sourceIdOf(layer),
    'source-layer': layer.id,
    minzoom: layer.minzoom,
    // Style-layer maxzoom is exclusive; +1 keeps the layer shown *at* its last zoom as the server means it.
    maxzoom: layer.maxzoom + 1,
    layout: { visibility: layer.style.visible ? 'visible' : 'none' } as const,
  };
  const color = colorExpression(layer);
  if (layer.geometryType === 'Point') {
    return [{
      ...common,
      id: firstId as string,
      type: 'circle',
      paint: {
        'circle-color': color,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 4, 14, 6, 18, 9],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    }];
  }
  return [
    { ...common, id: firstId as string, type: 'fill', paint: { 'fill-color': color, 'fill-opacity': FILL_OPACITY } },
    {
      ...common,
      id: secondId as string,
      type: 'line',
      paint: { 'line-color': color, 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 2.5] },
    },
  ];
}
