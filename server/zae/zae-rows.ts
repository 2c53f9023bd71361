// SITE-ECO and TERRAIN-ECO rows as the CNIG schemas lay them out (every field, in order, as text),
// from the rows zae-sql.ts reads: identifiers, code-list values (stored, mapped from our statuses, or
// "inconnu" where nothing says), hectares and rates. Pure: the export and the staff check share it.
import type { Config } from '../../core/config.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { SITE_ECO_SCHEMA, TERRAIN_ECO_SCHEMA } from '../../core/zae/cnig-schemas.ts';
import { lotStatusMeanings, stadeAmenagementFromServiced, VOCATION_OF_KIND } from '../../core/zae/zae-status.ts';
import type { SiteSqlRow, TerrainSqlRow } from './zae-sql.ts';

/** The standard's value for "not known"; what a field staff have not filled yet is published as. */
export const UNKNOWN = 'inconnu';

export const SITE_ECO_HEADER = SITE_ECO_SCHEMA.fields.map((f) => f.name);
export const TERRAIN_ECO_HEADER = TERRAIN_ECO_SCHEMA.fields.map((f) => f.name);

type Cells = Record<string, string | number | null | undefined>;

const pad = (id: number) => String(id).padStart(5, '0');
/** CNIG identifiers: `<INSEE>_SITE-ECO_<nnnnn>`, the EPCI's SIREN when the commune is unknown. */
export const siteId = (insee: string | null, id: number, siren: string) => `${insee ?? siren}_SITE-ECO_${pad(id)}`;
export const terrainId = (insee: string | null, id: number, siren: string) => `${insee ?? siren}_TERRAIN-ECO_${pad(id)}`;

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const yesNo = (value: boolean) => (value ? 'oui' : 'non');

function ordered(header: readonly string[], cells: Cells): string[] {
  return header.map((name) => {
    const value = cells[name];
    return value === null || value === undefined ? '' : String(value);
  });
}

/** The fields a zone leaves at "inconnu" because staff have not set them (the staff check lists them). */
export function unsetSiteFields(row: SiteSqlRow): string[] {
  return [
    ...(row.site_type ? [] : ['site_type']),
    ...(row.site_etat ? [] : ['site_etat']),
    ...(row.site_moa_type ? [] : ['site_moa_type']),
    ...(row.site_vocadomi || (row.kind && VOCATION_OF_KIND[row.kind]) ? [] : ['site_vocadomi (kind)']),
    ...(row.code_insee ? [] : ['site_comm_insee (commune)']),
    ...(row.site_identif_date ? [] : ['site_identif_date']),
  ];
}

export function unsetTerrainFields(row: TerrainSqlRow): string[] {
  return [
    ...(row.terr_maitrise_fonc ? [] : ['terr_maitrise_fonc']),
    ...(row.terr_stade_amngt || row.serviced !== null ? [] : ['terr_stade_amngt (serviced)']),
    ...(row.terr_usage ? [] : ['terr_usage']),
    ...(row.refcad ? [] : ['terr_refcad (parcels)']),
    ...(row.terr_identif_date ? [] : ['terr_identif_date']),
  ];
}

/** A zone as a SITE-ECO row. */
export function siteEcoRow(row: SiteSqlRow, config: Pick<Config, 'zaeEpciName' | 'zaeEpciSiren'>): string[] {
  return ordered(SITE_ECO_HEADER, {
    site_id: siteId(row.code_insee, row.id, config.zaeEpciSiren),
    // No grouping of sites (POLE-ECO) is kept: the standard's "not applicable".
    pole_id: 'sans objet',
    site_nom: row.name,
    site_type: row.site_type ?? UNKNOWN,
    site_vocadomi: row.site_vocadomi ?? ((row.kind && VOCATION_OF_KIND[row.kind]) || UNKNOWN),
    site_etat: row.site_etat ?? UNKNOWN,
    site_surf_brute: round(row.surf_brute_ha, 4),
    site_surf_utile: round(row.surf_utile_ha, 4),
    site_creation_date: row.site_creation_year,
    // Unset, the zone counts as identified by its last update at the latest (the staff check lists it).
    site_identif_date: row.site_identif_date ?? row.actu_date,
    site_actu_date: row.actu_date,
    source_producteur: config.zaeEpciName,
    site_description: row.description,
    site_epci_nom: config.zaeEpciName,
    site_epci_siren: config.zaeEpciSiren,
    site_comm_nom: row.commune ?? UNKNOWN,
    site_comm_insee: row.code_insee ?? UNKNOWN,
    site_moa_type: row.site_moa_type ?? UNKNOWN,
    site_uf_nbre: row.uf_nbre,
    site_uf_vacant_nbre: row.uf_vacant_nbre,
    site_taux_vacance: row.uf_nbre > 0 ? round((100 * row.uf_vacant_nbre) / row.uf_nbre, 1) : null,
    site_geomsurf: row.geojson_2154,
    site_geompoint: `${round(row.lon, 6)}, ${round(row.lat, 6)}`,
    site_surf_comm_dispo: round(row.surf_dispo_ha, 4),
    reseau_fibre_optique: yesNo(row.fibre),
  });
}

/** A lot as a TERRAIN-ECO row. Its buyer (terr_acquereur) and sale date stay out: a buyer may be a person. */
export function terrainEcoRow(row: TerrainSqlRow, lots: LayerDef, config: Pick<Config, 'zaeEpciSiren'>): string[] {
  const meaning = lotStatusMeanings(lots).get(row.status);
  return ordered(TERRAIN_ECO_HEADER, {
    terr_id: terrainId(row.zone_code_insee, row.id, config.zaeEpciSiren),
    site_id: siteId(row.zone_code_insee, row.zone_id, config.zaeEpciSiren),
    terr_refcad: row.refcad,
    terr_surf_brute: round(row.surf_brute_ha, 4),
    terr_identif_date: row.terr_identif_date ?? row.actu_date,
    terr_actu_date: row.actu_date,
    terr_maitrise_fonc: row.terr_maitrise_fonc ?? UNKNOWN,
    terr_stade_amngt: row.terr_stade_amngt ?? stadeAmenagementFromServiced(row.serviced),
    terr_stade_comm: meaning?.stadeComm ?? UNKNOWN,
    terr_etat_occup: meaning?.etatOccup ?? UNKNOWN,
    terr_usage: row.terr_usage ?? UNKNOWN,
    terr_geomsurf: row.geojson_2154,
    terr_m2_prix: row.price_per_m2,
  });
}
