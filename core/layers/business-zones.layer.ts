// The community's business zones (zones d'activité économique), managed by staff (plan action 5.2).
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';
import { CNIG_YEAR_RANGE, SITE_ETAT_CODES, SITE_MOA_TYPE_CODES, SITE_TYPE_CODES, SITE_VOCADOMI_CODES } from '../zae/cnig-code-lists.ts';

export const businessZones: LayerDef = {
  id: 'business_zones',
  title: label("Zones d'activité", 'Business zones'),
  description: label(
    "Zones d'activité économique de la communauté de communes.",
    "The community's business zones.",
  ),
  geometryType: 'MultiPolygon',
  srid: 4326,
  idType: 'integer',
  featureIdColumn: 'id',
  properties: [
    prop('code', 'text', 'Code', 'Code', { required: true, queryable: true }),
    prop('name', 'text', 'Nom', 'Name', { required: true, queryable: true }),
    prop('commune', 'text', 'Commune', 'Municipality', { queryable: true }),
    prop('kind', 'text', 'Vocation', 'Kind', {
      queryable: true,
      values: [
        code('mixed', 'Mixte', 'Mixed'),
        code('industrial', 'Industrielle', 'Industrial'),
        code('craft', 'Artisanale', 'Craft'),
        code('commercial', 'Commerciale', 'Commercial'),
        code('office', 'Tertiaire', 'Office'),
      ],
    }),
    prop('manager', 'text', 'Gestionnaire', 'Manager'),
    prop('description', 'text', 'Description', 'Description'),
    // Fields of the legal ZAE inventory (CNIG "Sites économiques", SITE-ECO) with no other source:
    // stored with the standard's own values; unset ones are published as "inconnu" (core/zae).
    prop('site_type', 'text', 'Type de site (CNIG)', 'Site type (CNIG)', { values: SITE_TYPE_CODES }),
    // Unset, the inventory takes it from `kind`, whose values all have a CNIG counterpart.
    prop('site_vocadomi', 'text', 'Vocation dominante (CNIG)', 'Dominant vocation (CNIG)', { values: SITE_VOCADOMI_CODES }),
    prop('site_etat', 'text', 'État du site (CNIG)', 'Site state (CNIG)', { values: SITE_ETAT_CODES }),
    prop('site_moa_type', 'text', 'Type de maître d’ouvrage (CNIG)', 'Owner type (CNIG)', { values: SITE_MOA_TYPE_CODES }),
    prop('site_creation_year', 'integer', 'Année de création', 'Year created', { range: CNIG_YEAR_RANGE }),
    prop('site_identif_date', 'date', 'Date d’identification (CNIG)', 'Identified on (CNIG)'),
    // Bumped by every change (staff ETag, If-Match); staff only, as the lots' is, whose private
    // fields bump it too. The public ETag hashes the public body.
    prop('version', 'integer', 'Version', 'Version', { computed: true, public: false }),
  ],
  minzoom: 8,
  maxzoom: 18,
  style: { color: '#5b3f8c', order: 20, visible: true, label: 'name' },
  public: true,
  source: 'Montfort Communauté, service développement économique',
  import: { key: 'code' },
};
