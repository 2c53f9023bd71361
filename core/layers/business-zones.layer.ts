// The community's business zones (zones d'activité économique), managed by staff (plan action 5.2).
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';

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
    // Bumped by every change (ETag, If-Match), public as the lots' is: clients can tell a change.
    prop('version', 'integer', 'Version', 'Version', { computed: true }),
  ],
  minzoom: 8,
  maxzoom: 18,
  style: { color: '#5b3f8c', order: 20, visible: true, label: 'name' },
  public: true,
  source: 'Montfort Communauté, service développement économique',
  import: { key: 'code' },
};
