// The open-data page at /downloads: every public layer with its files, licence, source, last update
// and count, as HTML for people, JSON for machines and a DCAT-AP catalogue (JSON-LD) for harvesters.
import type { Lang, LayerDef } from '../../core/layers/layer-def.ts';
import { escapeHtml, htmlPage } from '../features/ogc-html.ts';
import { layerSource, type OpenDataTerms } from './open-data.ts';

/** One public layer as the page shows it. */
export interface OpenDataEntry {
  readonly layer: LayerDef;
  readonly count: number;
  readonly lastUpdate: Date | null;
}

/** A file of a layer: its format name, media type and path (from the origin). */
export interface OpenDataFile {
  readonly format: string;
  readonly label: Readonly<Record<Lang, string>>;
  readonly mediaType: string;
  readonly path: string;
}

/** The files every public layer is downloadable as. */
export function layerFiles(id: string): OpenDataFile[] {
  return [
    { format: 'GeoJSON', label: { fr: 'GeoJSON', en: 'GeoJSON' }, mediaType: 'application/geo+json', path: `/downloads/${id}.geojson` },
    { format: 'CSV', label: { fr: 'CSV (WGS 84)', en: 'CSV (WGS 84)' }, mediaType: 'text/csv', path: `/downloads/${id}.csv` },
    { format: 'CSV', label: { fr: 'CSV (Lambert-93)', en: 'CSV (Lambert-93)' }, mediaType: 'text/csv', path: `/downloads/${id}.csv?crs=2154` },
    { format: 'GPKG', label: { fr: 'GeoPackage', en: 'GeoPackage' }, mediaType: 'application/geopackage+sqlite3', path: `/downloads/${id}.gpkg` },
  ];
}

/** The legal inventory of business zones (CNIG "Sites économiques" standard), built by server/zae/. */
export const ZAE_FILES: readonly OpenDataFile[] = [
  { format: 'CSV', label: { fr: 'SITE-ECO (zones), CSV', en: 'SITE-ECO (zones), CSV' }, mediaType: 'text/csv', path: '/downloads/zae/site-eco.csv' },
  { format: 'GPKG', label: { fr: 'SITE-ECO (zones), GeoPackage Lambert-93', en: 'SITE-ECO (zones), GeoPackage Lambert-93' },
    mediaType: 'application/geopackage+sqlite3', path: '/downloads/zae/site-eco.gpkg' },
  { format: 'CSV', label: { fr: 'TERRAIN-ECO (lots), CSV', en: 'TERRAIN-ECO (lots), CSV' }, mediaType: 'text/csv', path: '/downloads/zae/terrain-eco.csv' },
  { format: 'GPKG', label: { fr: 'TERRAIN-ECO (lots), GeoPackage Lambert-93', en: 'TERRAIN-ECO (lots), GeoPackage Lambert-93' },
    mediaType: 'application/geopackage+sqlite3', path: '/downloads/zae/terrain-eco.gpkg' },
  // Header only while the occupants' SIRET and name are private in the lots' description (server/zae/zae-etablissement.ts).
  { format: 'CSV', label: { fr: 'ETABLISSEMENT (occupants), CSV', en: 'ETABLISSEMENT (occupants), CSV' }, mediaType: 'text/csv', path: '/downloads/zae/etablissement.csv' },
  { format: 'GPKG', label: { fr: 'ETABLISSEMENT (occupants), GeoPackage Lambert-93', en: 'ETABLISSEMENT (occupants), GeoPackage Lambert-93' },
    mediaType: 'application/geopackage+sqlite3', path: '/downloads/zae/etablissement.gpkg' },
];
const ZAE_TITLE = {
  fr: 'Inventaire des zones d’activité économique (standard CNIG Sites économiques, article L318-8-2 du code de l’urbanisme)',
  en: 'Inventory of business zones (CNIG "Sites économiques" standard, French planning code L318-8-2)',
};

/** The JSON listing: one record per public layer. */
export function buildOpenDataJson(entries: readonly OpenDataEntry[], terms: OpenDataTerms, origin: string, lang: Lang) {
  return {
    publisher: terms.publisher,
    licence: terms.licence,
    layers: entries.map(({ layer, count, lastUpdate }) => ({
      id: layer.id,
      title: layer.title[lang],
      description: layer.description[lang],
      count,
      lastUpdate: lastUpdate?.toISOString() ?? null,
      licence: terms.licence,
      source: layerSource(layer, terms),
      formats: layerFiles(layer.id).map((f) => ({ format: f.format, title: f.label[lang], type: f.mediaType, href: origin + f.path })),
      ogc: `${origin}/ogc/collections/${layer.id}`,
    })),
    zaeInventory: { title: ZAE_TITLE[lang], formats: ZAE_FILES.map((f) => ({ format: f.format, title: f.label[lang], type: f.mediaType, href: origin + f.path })) },
  };
}

/** The DCAT-AP catalogue, one dcat:Dataset per public layer, as JSON-LD. */
export function buildDcatCatalog(entries: readonly OpenDataEntry[], terms: OpenDataTerms, origin: string) {
  const both = (label: Readonly<Record<Lang, string>>) => [
    { '@value': label.fr, '@language': 'fr' }, { '@value': label.en, '@language': 'en' }];
  const publisher = { '@type': 'foaf:Agent', 'foaf:name': terms.publisher };
  const licence = { '@id': terms.licence.url };
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
    },
    '@id': `${origin}/downloads`,
    '@type': 'dcat:Catalog',
    'dct:title': [{ '@value': 'Données ouvertes', '@language': 'fr' }, { '@value': 'Open data', '@language': 'en' }],
    'dct:publisher': publisher,
    'dct:license': licence,
    'dcat:dataset': entries.map(({ layer, lastUpdate }) => {
      const id = `${origin}/downloads#${layer.id}`;
      const ogc = `${origin}/ogc/collections/${layer.id}`;
      return {
        '@id': id,
        '@type': 'dcat:Dataset',
        'dct:identifier': layer.id,
        'dct:title': both(layer.title),
        'dct:description': both(layer.description),
        'dct:publisher': publisher,
        'dct:license': licence,
        'dct:source': layerSource(layer, terms),
        ...(lastUpdate ? { 'dct:modified': { '@value': lastUpdate.toISOString(), '@type': 'xsd:dateTime' } } : {}),
        'dcat:keyword': [layer.id, layer.title.fr, layer.title.en],
        'dcat:landingPage': { '@id': `${ogc}?f=html` },
        'dcat:distribution': [
          ...layerFiles(layer.id).map((f) => ({
            '@id': `${origin}${f.path}`,
            '@type': 'dcat:Distribution',
            'dct:title': both(f.label),
            'dct:format': f.format,
            'dcat:mediaType': f.mediaType,
            'dcat:accessURL': { '@id': origin + f.path },
            'dcat:downloadURL': { '@id': origin + f.path },
            'dct:license': licence,
          })),
          {
            '@id': `${ogc}#api`,
            '@type': 'dcat:Distribution',
            'dct:title': 'OGC API – Features',
            'dct:format': 'OGC API Features',
            'dcat:accessURL': { '@id': ogc },
            'dct:license': licence,
            'dcat:accessService': { '@type': 'dcat:DataService', 'dcat:endpointURL': { '@id': `${origin}/ogc` }, 'dcat:servesDataset': { '@id': id } },
          },
        ],
      };
    }),
  };
}

const TEXT = {
  fr: { title: 'Données ouvertes', caption: 'Couches publiques téléchargeables', layer: 'Couche', files: 'Fichiers', count: 'Objets',
    updated: 'Mise à jour', source: 'Source', api: 'API', licence: 'Licence', publisher: 'Éditeur', never: '—',
    ogc: 'API OGC de', dl: 'Télécharger', catalog: 'Catalogue DCAT (JSON-LD)', json: 'Liste JSON' },
  en: { title: 'Open data', caption: 'Public layers to download', layer: 'Layer', files: 'Files', count: 'Features',
    updated: 'Updated', source: 'Source', api: 'API', licence: 'Licence', publisher: 'Publisher', never: '—',
    ogc: 'OGC API of', dl: 'Download', catalog: 'DCAT catalogue (JSON-LD)', json: 'JSON listing' },
} as const;

/** The HTML page: an accessible table, one row per public layer. */
export function buildOpenDataHtml(entries: readonly OpenDataEntry[], terms: OpenDataTerms, origin: string, lang: Lang): string {
  const t = TEXT[lang];
  const rows = entries.map(({ layer, count, lastUpdate }) => {
    const title = layer.title[lang];
    const files = layerFiles(layer.id).map((f) =>
      `<li><a href="${escapeHtml(origin + f.path)}">${escapeHtml(`${t.dl} ${title} — ${f.label[lang]}`)}</a></li>`).join('');
    return `<tr><th scope="row">${escapeHtml(title)}<br><small>${escapeHtml(layer.description[lang])}</small></th>` +
      `<td><ul>${files}</ul></td><td>${count}</td>` +
      `<td>${lastUpdate ? `<time datetime="${lastUpdate.toISOString()}">${escapeHtml(lastUpdate.toISOString().slice(0, 10))}</time>` : t.never}</td>` +
      `<td>${escapeHtml(layerSource(layer, terms))}</td>` +
      `<td><a href="${escapeHtml(`${origin}/ogc/collections/${layer.id}`)}">${escapeHtml(`${t.ogc} ${title}`)}</a></td></tr>`;
  });
  const other = lang === 'fr' ? 'en' : 'fr';
  const body = `<p>${t.licence} : <a href="${escapeHtml(terms.licence.url)}">${escapeHtml(terms.licence.name)}</a>. ` +
    `${t.publisher} : ${escapeHtml(terms.publisher)}.</p>` +
    `<p><a href="${escapeHtml(`${origin}/downloads?f=jsonld`)}">${t.catalog}</a> · <a href="${escapeHtml(`${origin}/downloads?f=json`)}">${t.json}</a>` +
    ` · <a href="${escapeHtml(`${origin}/downloads?lang=${other}`)}" hreflang="${other}" lang="${other}">${other === 'en' ? 'English' : 'Français'}</a></p>` +
    `<h2>${t.caption}</h2><table><caption>${t.caption}</caption><thead><tr>` +
    [t.layer, t.files, t.count, t.updated, t.source, t.api].map((h) => `<th scope="col">${h}</th>`).join('') +
    `</tr></thead><tbody>${rows.join('\n')}</tbody></table>` +
    `<h2>${escapeHtml(ZAE_TITLE[lang])}</h2><ul>` +
    ZAE_FILES.map((f) => `<li><a href="${escapeHtml(origin + f.path)}">${escapeHtml(`${t.dl} ${f.label[lang]}`)}</a></li>`).join('') + '</ul>';
  return htmlPage(lang, t.title, [{ href: `${origin}/ogc?f=html`, rel: 'start', title: 'OGC API' }], body);
}
