// Cadastral parcels (Etalab cadastre), keyed by their 14-character id.
import type { LayerDef } from './layer-def.ts';
import { label, prop } from './labels.ts';

export const parcels: LayerDef = {
  id: 'parcels',
  title: label('Parcelles cadastrales', 'Cadastral parcels'),
  description: label('Parcelles du cadastre (Etalab).', 'Cadastral parcels (Etalab).'),
  geometryType: 'MultiPolygon',
  srid: 4326,
  idType: 'text',
  featureIdColumn: 'fid',
  properties: [
    prop('commune', 'text', 'Code INSEE', 'INSEE code', { required: true, queryable: true }),
    prop('prefixe', 'text', 'Préfixe', 'Prefix', { required: true }),
    prop('section', 'text', 'Section', 'Section', { required: true, queryable: true }),
    prop('numero', 'text', 'Numéro', 'Number', { required: true, queryable: true }),
    prop('contenance', 'integer', 'Contenance (m²)', 'Area (m²)'),
  ],
  minzoom: 15,
  maxzoom: 18,
  style: { color: '#8a6d3b', order: 5, visible: false },
  public: true,
  source: 'Plan cadastral informatisé (DGFiP), diffusé par Etalab, https://cadastre.data.gouv.fr',
  import: { key: 'id' },
};
