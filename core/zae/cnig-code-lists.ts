// The CNIG code lists our zones and lots store as they are (the standard's French values), with the
// English labels the map shows in English; a value the schema adds without a translation stops start-up.
import type { CodeValue } from '../layers/layer-def.ts';
import { code } from '../layers/labels.ts';
import { cnigCodeList, SITE_ECO_SCHEMA, TERRAIN_ECO_SCHEMA, type TableSchema } from './cnig-schemas.ts';

const COMMON: Readonly<Record<string, string>> = { inconnu: 'Unknown', autre: 'Other', 'sans objet': 'Not applicable' };

const ENGLISH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  site_type: {
    "zone d'activité économique": 'Business zone',
    'site économique historique hors ZAE': 'Historic business site outside a zone',
    'établissement économique isolé': 'Isolated business establishment',
    'zone AU à vocation économique': 'Zone to be urbanised for business',
  },
  site_vocadomi: {
    industrielle: 'Industrial', commerciale: 'Commercial', tertiaire: 'Office and services', artisanale: 'Craft',
    touristique: 'Tourism', portuaire: 'Port', 'aéroportuaire, aéronautique': 'Airport, aeronautics',
    'entrepôts, logistique': 'Warehousing, logistics', 'logistique agricole': 'Agricultural logistics', mixte: 'Mixed',
  },
  site_etat: {
    'en projet': 'Planned', création: 'Being created', 'existant et actif': 'Existing and active',
    'projet de déclassement': 'To be decommissioned', déclassé: 'Decommissioned',
  },
  site_moa_type: {
    commune: 'Municipality', epci: 'Intermunicipal body (EPCI)', "société d'économie mixte": 'Semi-public company',
    'chambre de commerce et industrie': 'Chamber of commerce', Etat: 'State', privé: 'Private',
  },
  terr_maitrise_fonc: {
    'personne physique': 'Private person', Etat: 'State', région: 'Region', département: 'Département',
    'structure intercommunale': 'Intermunicipal body', commune: 'Municipality',
    'autre collectivité territoriale': 'Other local authority', 'organisme de logement social': 'Social housing body',
    'établissement public foncier': 'Public land agency', 'SEM ou SPLA': 'Semi-public company',
    aménageur: 'Developer', 'investisseur professionnel': 'Professional investor',
    'établissement de santé et structure sociale': 'Health or social establishment',
    'établissement de tourisme et structure de loisir sportive ou cultuelle': 'Tourism, sports, leisure or religious establishment',
    'établissement industriel et commercial': 'Industrial and commercial establishment',
    'organisation de gestion foncière et immobilière': 'Land and property management body',
    "établissement d'enseignement d'étude et de recherche": 'Education or research establishment',
  },
  terr_stade_amngt: {
    'non aménageable': 'Cannot be developed', 'non aménagé, non viabilisé': 'Neither developed nor serviced',
    'viabilisation en cours': 'Being serviced', 'viabilisé non aménagé': 'Serviced, not developed',
    'viabilisé et aménagé': 'Serviced and developed',
  },
  terr_usage: {
    'voirie ou infrastructure': 'Roads or infrastructure', 'parkings, stationnement': 'Parking',
    'zone de retournement poids-lourds': 'Lorry turning area', 'autres équipements publics': 'Other public facilities',
    'bâti productif': 'Productive buildings', 'bâti résidentiel': 'Residential buildings',
    "bassin d'orage ou de rétention": 'Storm or retention basin', 'espace vert': 'Green space',
    'espace naturel ou forestier': 'Natural or forest area', 'espace agricole': 'Farmland',
    'zone de service partagée entre entreprises': 'Service area shared by businesses',
    "carrières, zones d'extraction": 'Quarries', 'dépôt, stockage': 'Storage',
    'production d’énergie renouvelable': 'Renewable energy production',
  },
};

function codeValues(schema: TableSchema, field: string): CodeValue[] {
  return cnigCodeList(schema, field).map((value) => {
    const english = ENGLISH[field]?.[value] ?? COMMON[value];
    if (!english) throw new Error(`CNIG code ${field} = "${value}" has no English label in cnig-code-lists.ts`);
    return code(value, value, english);
  });
}

/** Zone (site) code lists stored on business_zones. */
export const SITE_TYPE_CODES = codeValues(SITE_ECO_SCHEMA, 'site_type');
export const SITE_VOCADOMI_CODES = codeValues(SITE_ECO_SCHEMA, 'site_vocadomi');
export const SITE_ETAT_CODES = codeValues(SITE_ECO_SCHEMA, 'site_etat');
export const SITE_MOA_TYPE_CODES = codeValues(SITE_ECO_SCHEMA, 'site_moa_type');
/** Lot (terrain) code lists stored on zone_lots. */
export const TERR_MAITRISE_FONC_CODES = codeValues(TERRAIN_ECO_SCHEMA, 'terr_maitrise_fonc');
export const TERR_STADE_AMNGT_CODES = codeValues(TERRAIN_ECO_SCHEMA, 'terr_stade_amngt');
export const TERR_USAGE_CODES = codeValues(TERRAIN_ECO_SCHEMA, 'terr_usage');

/** Bounds of the years staff type for the inventory (a zone's creation, a headcount's vintage); the
 *  CHECK constraints of migrations 011 and 013 hold the same. */
export const CNIG_YEAR_RANGE = { min: 1800, max: 2200 } as const;
