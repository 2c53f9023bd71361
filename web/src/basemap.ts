// The initial map style: a light background plus the configured raster basemap (IGN plan, OSM or none).
import type { StyleSpecification } from 'maplibre-gl';
import type { BasemapKind } from './api.ts';

const BACKGROUND_COLOR = '#f4f3ef';

interface RasterBasemap {
  tiles: string[];
  attribution: string;
  maxzoom: number;
}

const RASTER_BASEMAPS: Record<Exclude<BasemapKind, 'none'>, RasterBasemap> = {
  // IGN Géoplateforme WMTS in Web Mercator ("PM" tile matrix set): same z/x/y grid as MapLibre.
  'ign-plan': {
    tiles: [
      'https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2' +
        '&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}',
    ],
    attribution: '© IGN – Géoplateforme',
    maxzoom: 19,
  },
  osm: {
    tiles: ['https://tile.openstreetmap.org/{z}/{x}/{y}.png'],
    attribution: '© OpenStreetMap contributors',
    maxzoom: 19,
  },
};

/**
 * The style the map opens with. `none` has no source at all, so the page makes no request outside
 * its own origin (tests and offline deployments rely on it). No glyphs or sprite either, for the same reason.
 */
export function buildBaseStyle(kind: BasemapKind): StyleSpecification {
  const style: StyleSpecification = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': BACKGROUND_COLOR } }],
  };
  if (kind === 'none') return style;
  const basemap = RASTER_BASEMAPS[kind];
  style.sources.basemap = {
    type: 'raster',
    tiles: basemap.tiles,
    tileSize: 256,
    maxzoom: basemap.maxzoom,
    attribution: basemap.attribution,
  };
  // Slightly faded so the thematic layers stay readable on top of a busy plan.
  style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.85 } });
  return style;
}
