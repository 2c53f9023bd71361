// Where the basemap and overlay rasters come from: the web map fetches them, and the server's
// Content-Security-Policy allows exactly these origins for images and fetches.

/** IGN Géoplateforme WMTS (plan, orthophotos, cadastral parcels). */
export const IGN_TILE_ORIGIN = 'https://data.geopf.fr';
/** OpenStreetMap's donated raster tiles. */
export const OSM_TILE_ORIGIN = 'https://tile.openstreetmap.org';

/** Every origin the map may load basemap tiles from (visitors switch among all basemaps). */
export const BASEMAP_TILE_ORIGINS: readonly string[] = [IGN_TILE_ORIGIN, OSM_TILE_ORIGIN];
