// The territory outline (commune boundaries) and the view that frames it.
import type { LngLatBoundsLike, Map as MapLibreMap } from 'maplibre-gl';
import type { Bbox, Territory } from './api.ts';

export const TERRITORY_SOURCE = 'territory';
export const TERRITORY_LAYERS = ['territory-casing', 'territory-line'] as const;

/** Montfort-sur-Meu and the whole community at zoom ≈ 11: the view when the territory cannot be loaded. */
export const FALLBACK_VIEW = { center: [-1.957, 48.137] as [number, number], zoom: 11 };

/** The bbox of some GeoJSON geometries' coordinates (null when there are none). */
export function bboxOf(geometries: readonly ({ coordinates?: unknown } | null | undefined)[]): Bbox | null {
  let box: Bbox | null = null;
  const visit = (coords: unknown): void => {
    if (!Array.isArray(coords)) return;
    if (typeof coords[0] === 'number' && typeof coords[1] === 'number') {
      const [x, y] = coords as [number, number];
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
      return;
    }
    for (const child of coords) visit(child);
  };
  for (const geometry of geometries) visit(geometry?.coordinates);
  return box;
}

/** The collection's bbox, or one computed from its coordinates when the server left it out. */
export function territoryBbox(territory: Territory): Bbox | null {
  if (territory.bbox && territory.bbox.length === 4) return territory.bbox;
  return bboxOf(territory.features.map((feature) => feature.geometry));
}

/** The bbox as MapLibre bounds. */
export function toBounds(bbox: Bbox): LngLatBoundsLike {
  return [[bbox[0], bbox[1]], [bbox[2], bbox[3]]];
}

/**
 * Draws the commune boundaries: a white casing under a dark line keeps them readable on any basemap
 * and under the semi-transparent thematic fills. `beforeId` puts them under the point layers.
 */
export function addTerritoryOutline(map: MapLibreMap, territory: Territory, beforeId?: string): void {
  map.addSource(TERRITORY_SOURCE, { type: 'geojson', data: territory });
  map.addLayer({
    id: 'territory-casing',
    type: 'line',
    source: TERRITORY_SOURCE,
    paint: { 'line-color': '#ffffff', 'line-width': 4, 'line-opacity': 0.8 },
  }, beforeId);
  map.addLayer({
    id: 'territory-line',
    type: 'line',
    source: TERRITORY_SOURCE,
    paint: { 'line-color': '#2b3a4a', 'line-width': 1.5, 'line-dasharray': [3, 2] },
  }, beforeId);
}
