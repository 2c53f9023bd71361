// Lots of the business zones, with their commercial status, edited by economic-development staff.
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';
import { CNIG_YEAR_RANGE, TERR_MAITRISE_FONC_CODES, TERR_STADE_AMNGT_CODES, TERR_USAGE_CODES } from '../zae/cnig-code-lists.ts';
import { INSEE_HEADCOUNT_CODES } from '../zae/insee-headcount.ts';

export const zoneLots: LayerDef = {
  id: 'zone_lots',
  title: label('Lots des zones d’activité', 'Business zone lots'),
  description: label(
    'Lots des zones d’activité avec leur disponibilité, leur surface et leur prix.',
    'Business zone lots with their availability, area and price.',
  ),
  geometryType: 'MultiPolygon',
  srid: 4326,
  idType: 'integer',
  featureIdColumn: 'id',
  properties: [
    prop('zone_id', 'integer', 'Zone', 'Zone', {
      required: true, queryable: true, references: { layer: 'business_zones', label: 'name' },
    }),
    prop('lot_number', 'text', 'Numéro de lot', 'Lot number', { required: true, queryable: true }),
    prop('status', 'text', 'Disponibilité', 'Status', {
      required: true,
      queryable: true,
      values: [
        code('available', 'Disponible', 'Available', '#1b7a3a'),
        code('optioned', 'Sous option', 'Optioned', '#c77700'),
        code('reserved', 'Réservé', 'Reserved', '#b35900'),
        code('sold', 'Vendu', 'Sold', '#a02c2c'),
        code('occupied', 'Occupé', 'Occupied', '#2160a8'),
        code('unavailable', 'Indisponible', 'Unavailable', '#6b7075'),
      ],
    }),
    // When a negotiation moved on is commercial detail: staff only.
    prop('status_changed_at', 'datetime', 'Statut modifié le', 'Status changed on', { computed: true, public: false }),
    // An option's term is part of a negotiation with one prospect: staff only.
    prop('option_expires_on', 'date', 'Échéance de l’option ou de la réservation', 'Option or reservation expires on', { public: false }),
    prop('area_m2', 'number', 'Surface (m²)', 'Area (m²)', { computed: true }),
    prop('price_per_m2', 'number', 'Prix (€/m²)', 'Price (€/m²)'),
    // The occupant of a lot may be a sole trader, whose name and SIRET identify a person: kept
    // for staff; the public sees the activity.
    prop('occupant_name', 'text', 'Occupant', 'Occupant', { public: false }),
    prop('occupant_siret', 'text', 'SIRET de l’occupant', 'Occupant SIRET', { public: false, format: 'siret' }),
    // What the CNIG ETABLISSEMENT table requires of the occupant beyond its name and SIRET (as SIRENE
    // gives it): about the occupant, so staff only like them.
    prop('etab_nat_juridique', 'text', 'Catégorie juridique de l’occupant (INSEE, 4 chiffres)', 'Occupant’s legal category (INSEE, 4 digits)', { public: false }),
    prop('etab_creation_date', 'date', 'Date de création de l’établissement', 'Establishment founded on', { public: false }),
    prop('etab_effectif_code', 'text', 'Tranche d’effectif salarié (INSEE)', 'Headcount band (INSEE)', { public: false, values: INSEE_HEADCOUNT_CODES }),
    prop('etab_effectif_annee', 'integer', 'Année de la tranche d’effectif', 'Year of the headcount band', { public: false, range: CNIG_YEAR_RANGE }),
    prop('etab_siege', 'boolean', 'Siège de l’entreprise', 'Company head office', { public: false }),
    prop('activity', 'text', 'Activité', 'Activity'),
    prop('naf_code', 'text', 'Code NAF (APE)', 'NAF (APE) code', { queryable: true }),
    prop('serviced', 'boolean', 'Viabilisé', 'Serviced'),
    prop('water', 'boolean', 'Eau potable', 'Drinking water'),
    prop('sewer', 'boolean', 'Assainissement', 'Sewer'),
    prop('electricity', 'boolean', 'Électricité', 'Electricity'),
    prop('fibre_ready', 'boolean', 'Raccordable à la fibre', 'Fibre ready'),
    // Fields of the legal ZAE inventory (CNIG "Sites économiques", TERRAIN-ECO) with no other source,
    // stored with the standard's own values; unset ones are derived or published as "inconnu" (core/zae).
    prop('terr_maitrise_fonc', 'text', 'Maîtrise foncière (CNIG)', 'Land ownership (CNIG)', { values: TERR_MAITRISE_FONC_CODES }),
    prop('terr_stade_amngt', 'text', 'Stade d’aménagement (CNIG)', 'Development stage (CNIG)', { values: TERR_STADE_AMNGT_CODES }),
    prop('terr_usage', 'text', 'Usage du terrain (CNIG)', 'Land use (CNIG)', { values: TERR_USAGE_CODES }),
    prop('terr_identif_date', 'date', 'Date d’identification (CNIG)', 'Identified on (CNIG)'),
    prop('notes', 'text', 'Notes internes', 'Internal notes', { public: false }),
    // Bumped by every change, private fields' too: when it moved would tell the public when a
    // private change happened. Staff only, like the zones' (OGC API forbids a name private in
    // one layer and public in another); the public ETag hashes the public body instead.
    prop('version', 'integer', 'Version', 'Version', { computed: true, public: false }),
  ],
  minzoom: 12,
  maxzoom: 18,
  style: { colorBy: 'status', color: '#6b7075', order: 30, visible: true },
  public: true,
  source: 'Montfort Communauté, service développement économique',
};
