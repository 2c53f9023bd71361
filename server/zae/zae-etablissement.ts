// ETABLISSEMENT rows of the CNIG inventory: one per occupant SIRET recorded on our lots (the SIRET is
// the table's key; an occupant of several lots lists their TERRAIN-ECO ids joined by "|", and its
// establishment fields come from the last updated of those lots that has them). The standard requires
// the SIRET and the establishment's name, which our lot description marks private (a sole trader's
// name and SIRET identify a person): the public file only carries rows whose required fields all come
// from public properties, so it holds the header alone while those stay private; staff get every row.
// Fields staff have not filled are "inconnu", or left empty (dates) for the check to list.
import type { Config } from '../../core/config.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { ETABLISSEMENT_SCHEMA } from '../../core/zae/cnig-schemas.ts';
import { headcountLabel } from '../../core/zae/insee-headcount.ts';
import { lotStatusMeanings } from '../../core/zae/zae-status.ts';
import { terrainId, UNKNOWN } from './zae-rows.ts';

export const ETABLISSEMENT_HEADER = ETABLISSEMENT_SCHEMA.fields.map((f) => f.name);

/** The lot property each field is filled from, for the fields that come from one. */
export const ETABLISSEMENT_SOURCES: Readonly<Record<string, string>> = {
  SIRET: 'occupant_siret',
  SIREN: 'occupant_siret',
  etab_raison_sociale: 'occupant_name',
  etab_nom: 'occupant_name',
  etab_activite_code: 'naf_code',
  etab_activite_libelle: 'activity',
  etab_nat_juridique: 'etab_nat_juridique',
  etab_creation_date: 'etab_creation_date',
  etab_effectif_code: 'etab_effectif_code',
  etab_effectif_libelle: 'etab_effectif_code',
  etab_effectif_annee: 'etab_effectif_annee',
  etab_siege: 'etab_siege',
};

export interface EtablissementSqlRow {
  siret: string;
  name: string | null;
  naf_code: string | null;
  activity: string | null;
  nat_juridique: string | null;
  creation_date: string | null;
  effectif_code: string | null;
  effectif_annee: number | null;
  siege: boolean | null;
  lot_ids: number[];
  statuses: string[];
  commune: string | null;
  code_insee: string | null;
  identif_date: string | null;
  actu_date: string;
  geojson_2154: string;
}

/** The value of `column` on the occupant's last updated lot that has one. */
const LATEST = (column: string) => `(array_agg(${column} ORDER BY l.updated_at DESC, l.id DESC) FILTER (WHERE ${column} IS NOT NULL))[1]`;

/** Occupants with a SIRET, by SIRET: their lots, the first lot's zone commune, one point per lot. */
export const ETABLISSEMENT_SQL = `
SELECT l.occupant_siret AS siret, min(l.occupant_name) AS name, min(l.naf_code) AS naf_code, min(l.activity) AS activity,
       ${LATEST('l.etab_nat_juridique')} AS nat_juridique, to_char(${LATEST('l.etab_creation_date')}, 'YYYY-MM-DD') AS creation_date,
       ${LATEST('l.etab_effectif_code')} AS effectif_code, ${LATEST('l.etab_effectif_annee')} AS effectif_annee,
       ${LATEST('l.etab_siege')} AS siege,
       array_agg(l.id ORDER BY l.id) AS lot_ids, array_agg(l.status ORDER BY l.id) AS statuses,
       (array_agg(z.commune ORDER BY l.id))[1] AS commune,
       (array_agg((SELECT c.code_insee FROM communes c WHERE lower(c.nom) = lower(z.commune) LIMIT 1) ORDER BY l.id))[1] AS code_insee,
       to_char(min(l.terr_identif_date), 'YYYY-MM-DD') AS identif_date, to_char(max(l.updated_at), 'YYYY-MM-DD') AS actu_date,
       ST_AsGeoJSON(ST_Transform(ST_Collect(ST_PointOnSurface(l.geom) ORDER BY l.id), 2154), 2) AS geojson_2154
  FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id
 WHERE l.occupant_siret IS NOT NULL
 GROUP BY l.occupant_siret
 ORDER BY l.occupant_siret`;

/** Whether rows may be published: every required field with a source comes from a public property. */
export function etablissementRowsArePublic(lots: LayerDef): boolean {
  const isPublic = new Map(lots.properties.map((p) => [p.name, p.public]));
  return ETABLISSEMENT_SCHEMA.fields
    .filter((f) => f.constraints?.required && ETABLISSEMENT_SOURCES[f.name])
    .every((f) => isPublic.get(ETABLISSEMENT_SOURCES[f.name]!) === true);
}

/** The fields a row leaves unknown for lack of a source (the staff check lists them). */
export function unsetEtablissementFields(row: EtablissementSqlRow): string[] {
  return [
    ...(row.nat_juridique ? [] : ['etab_nat_juridique']),
    ...(row.creation_date ? [] : ['etab_creation_date']),
    ...(row.effectif_code ? [] : ['etab_effectif_code']),
    ...(row.effectif_annee ? [] : ['etab_effectif_annee']),
    ...(row.name ? [] : ['etab_nom (occupant_name)']),
    ...(row.naf_code ? [] : ['etab_activite_code (naf_code)']),
    ...(row.activity ? [] : ['etab_activite_libelle (activity)']),
    ...(row.code_insee ? [] : ['comm_insee (commune)']),
  ];
}

/** An occupant as an ETABLISSEMENT row. */
export function etablissementRow(row: EtablissementSqlRow, lots: LayerDef, config: Pick<Config, 'zaeEpciName' | 'zaeEpciSiren'>): string[] {
  const meanings = lotStatusMeanings(lots);
  const occupies = row.statuses.some((s) => meanings.get(s)?.etatOccup === 'occupé');
  const cells: Record<string, string> = {
    SIRET: row.siret,
    SIREN: row.siret.slice(0, 9),
    terr_id: row.lot_ids.map((id) => terrainId(row.code_insee, id, config.zaeEpciSiren)).join('|'),
    etab_raison_sociale: row.name ?? UNKNOWN,
    etab_nat_juridique: row.nat_juridique ?? UNKNOWN,
    etab_nom: row.name ?? UNKNOWN,
    epci_nom: config.zaeEpciName,
    epci_siren: config.zaeEpciSiren,
    comm_nom: row.commune ?? UNKNOWN,
    comm_insee: row.code_insee ?? UNKNOWN,
    etab_siege: row.siege === null ? '' : row.siege ? 'oui' : 'non',
    etab_creation_date: row.creation_date ?? '',
    etab_identif_date: row.identif_date ?? row.actu_date,
    etab_actu_date: row.actu_date,
    // A lot sold but not built on says nothing of whether the establishment is active.
    etab_actif: occupies ? 'oui' : '',
    // The standard writes NAF codes without the dot ("4520B"); our lots store "45.20B".
    etab_activite_code: row.naf_code?.replace('.', '') ?? UNKNOWN,
    etab_activite_libelle: row.activity ?? UNKNOWN,
    etab_effectif_code: row.effectif_code ?? UNKNOWN,
    etab_effectif_libelle: (row.effectif_code && headcountLabel(row.effectif_code)) || UNKNOWN,
    etab_effectif_annee: row.effectif_annee === null ? '' : String(row.effectif_annee),
    etab_source_info: config.zaeEpciName,
    // Each point lies on the lot the establishment occupies.
    geocodage_qualite: 'localisation à la parcelle',
    etab_geompoint: row.geojson_2154,
  };
  return ETABLISSEMENT_HEADER.map((name) => cells[name] ?? '');
}
