// The open-data download formats, their stable URLs and the links that list them on a collection.
import type { Lang } from '../../core/layers/layer-def.ts';

export type DownloadFormat = 'geojson' | 'csv' | 'gpkg';

export const DOWNLOAD_TYPES: Readonly<Record<DownloadFormat, string>> = {
  geojson: 'application/geo+json',
  csv: 'text/csv; charset=utf-8; header=present',
  gpkg: 'application/geopackage+sqlite3',
};

/** The stable path of a layer's download: `/downloads/{layer}.{format}`. */
export function downloadPath(layerId: string, format: DownloadFormat): string {
  return `/downloads/${layerId}.${format}`;
}

interface Offer {
  format: DownloadFormat;
  query: string;
  title: Readonly<Record<Lang, string>>;
}

const OFFERS: readonly Offer[] = [
  { format: 'geojson', query: '', title: { fr: 'Téléchargement GeoJSON (WGS84)', en: 'GeoJSON download (WGS84)' } },
  { format: 'csv', query: '', title: { fr: 'Téléchargement CSV (colonnes lon/lat WGS84)', en: 'CSV download (WGS84 lon/lat columns)' } },
  { format: 'csv', query: '?crs=2154', title: { fr: 'Téléchargement CSV (colonnes x/y Lambert-93)', en: 'CSV download (Lambert-93 x/y columns)' } },
  { format: 'gpkg', query: '', title: { fr: 'Téléchargement GeoPackage (WGS84)', en: 'GeoPackage download (WGS84)' } },
  { format: 'gpkg', query: '?crs=2154', title: { fr: 'Téléchargement GeoPackage (Lambert-93)', en: 'GeoPackage download (Lambert-93)' } },
];

/** `enclosure` links to every download of a layer, for its collection document. */
export function downloadLinks(origin: string, layerId: string, lang: Lang) {
  return OFFERS.map((o) => ({
    href: `${origin}${downloadPath(layerId, o.format)}${o.query}`,
    rel: 'enclosure',
    type: DOWNLOAD_TYPES[o.format].split(';')[0]!,
    title: o.title[lang],
  }));
}
