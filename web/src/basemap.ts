// The basemaps under the thematic layers (IGN plan, IGN orthophoto, OpenStreetMap or none) and the
// IGN cadastral parcels overlay, switched at run time without touching the thematic layers.
import type { Map as MapLibreMap, RasterSourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { BasemapKind } from './api.ts';
import { IGN_TILE_ORIGIN, OSM_TILE_ORIGIN } from '../../core/basemap-origins.ts';

export const BASEMAP_KINDS: readonly BasemapKind[] = ['ign-plan', 'ign-ortho', 'osm', 'none'];

const BACKGROUND_COLOR = '#f4f3ef';
const BASEMAP_ID = 'basemap';
const CADASTRE_ID = 'cadastre';

/** An IGN Géoplateforme WMTS layer in Web Mercator ("PM" tile matrix set): the same z/x/y grid as MapLibre. */
function ignWmts(layer: string, format: 'image/png' | 'image/jpeg', style = 'normal'): string {
  return `${IGN_TILE_ORIGIN}/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
    `&STYLE=${encodeURIComponent(style)}&TILEMATRIXSET=PM&FORMAT=${format}&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`;
}

const IGN = '© <a href="https://geoservices.ign.fr/">IGN – Géoplateforme</a>';

const RASTERS: Record<Exclude<BasemapKind, 'none'> | 'cadastre', RasterSourceSpecification> = {
  'ign-plan': {
    type: 'raster', tileSize: 256, maxzoom: 19, attribution: IGN,
    tiles: [ignWmts('GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2', 'image/png')],
  },
  'ign-ortho': {
    type: 'raster', tileSize: 256, maxzoom: 19, attribution: IGN,
    tiles: [ignWmts('ORTHOIMAGERY.ORTHOPHOTOS', 'image/jpeg')],
  },
  // tile.openstreetmap.org is a donated service for light use: a production portal needs its own
  // tiles or a provider (see the README and https://operations.osmfoundation.org/policies/tiles/).
  osm: {
    type: 'raster', tileSize: 256, maxzoom: 19,
    attribution: '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    tiles: [`${OSM_TILE_ORIGIN}/{z}/{x}/{y}.png`],
  },
  // The cadastral parcel plan (PCI) drawn by IGN: transparent lines to lay over any basemap.
  cadastre: {
    type: 'raster', tileSize: 256, minzoom: 13, maxzoom: 19, attribution: `${IGN}, DGFiP`,
    tiles: [ignWmts('CADASTRALPARCELS.PARCELLAIRE_EXPRESS', 'image/png', 'PCI vecteur')],
  },
};

/**
 * The style the map opens with: a light background only. Basemaps are added afterwards by
 * `setBasemap`, so `none` makes no request outside the page's origin (tests and offline deployments
 * rely on it). No glyphs or sprite either, for the same reason.
 */
export function buildBaseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND_COLOR } }],
  };
}

/** The style layer just above the background: rasters go under it, below every thematic layer. */
function firstLayerAbove(map: MapLibreMap, ...skip: string[]): string | undefined {
  return map.getStyle().layers.find((layer) => layer.id !== 'background' && !skip.includes(layer.id))?.id;
}

function removeRaster(map: MapLibreMap, id: string): void {
  if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(id)) map.removeSource(id);
}

/** Shows `kind` under everything else (the cadastre overlay included). */
export function setBasemap(map: MapLibreMap, kind: BasemapKind): void {
  removeRaster(map, BASEMAP_ID);
  if (kind === 'none') return;
  map.addSource(BASEMAP_ID, RASTERS[kind]);
  // Slightly faded so the thematic layers stay readable on top of a busy plan or photo.
  map.addLayer({ id: BASEMAP_ID, type: 'raster', source: BASEMAP_ID, paint: { 'raster-opacity': 0.85 } },
    map.getLayer(CADASTRE_ID) ? CADASTRE_ID : firstLayerAbove(map, BASEMAP_ID));
}

/** Shows or hides the cadastral parcels over the basemap, under the thematic layers. */
export function setCadastre(map: MapLibreMap, on: boolean): void {
  removeRaster(map, CADASTRE_ID);
  if (!on) return;
  map.addSource(CADASTRE_ID, RASTERS.cadastre);
  map.addLayer({ id: CADASTRE_ID, type: 'raster', source: CADASTRE_ID }, firstLayerAbove(map, BASEMAP_ID, CADASTRE_ID));
}
