// Public wifi hotspots, indoor and outdoor (plan actions 1.3 / 6.2).
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';

export const wifiHotspots: LayerDef = {
  id: 'wifi_hotspots',
  title: label('Wifi public', 'Public wifi'),
  description: label('Points d’accès wifi publics, intérieurs et extérieurs.', 'Public wifi hotspots, indoor and outdoor.'),
  geometryType: 'Point',
  srid: 4326,
  idType: 'integer',
  featureIdColumn: 'id',
  properties: [
    prop('name', 'text', 'Nom', 'Name', { required: true }),
    prop('kind', 'text', 'Type', 'Kind', {
      required: true,
      queryable: true,
      values: [code('indoor', 'Intérieur', 'Indoor'), code('outdoor', 'Extérieur', 'Outdoor')],
    }),
    prop('status', 'text', 'État', 'Status', {
      required: true,
      queryable: true,
      values: [
        code('active', 'En service', 'Active', '#0b6e99', 'in_service'),
        code('planned', 'Prévu', 'Planned', '#7a4fb0'),
        code('out_of_service', 'Hors service', 'Out of service', '#a02c2c'),
        code('removed', 'Retiré', 'Removed', '#6b7075'),
      ],
    }),
    prop('address', 'text', 'Adresse', 'Address'),
    prop('commune', 'text', 'Commune', 'Municipality', { queryable: true }),
    prop('operator', 'text', 'Opérateur', 'Operator', { queryable: true }),
    prop('access', 'text', 'Accès', 'Access'),
  ],
  minzoom: 10,
  maxzoom: 18,
  style: { colorBy: 'status', color: '#0b6e99', order: 70, visible: true },
  public: true,
  source: 'Montfort Communauté',
  import: {},
};
