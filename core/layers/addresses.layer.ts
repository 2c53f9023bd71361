// Addresses from the Base Adresse Nationale, keyed by their BAN id.
import type { LayerDef } from './layer-def.ts';
import { label, prop } from './labels.ts';

export const addresses: LayerDef = {
  id: 'addresses',
  title: label('Adresses', 'Addresses'),
  description: label('Adresses de la Base Adresse Nationale (BAN).', 'Addresses from the French national address base (BAN).'),
  geometryType: 'Point',
  srid: 4326,
  idType: 'text',
  featureIdColumn: 'fid',
  properties: [
    prop('id_fantoir', 'text', 'Identifiant FANTOIR', 'FANTOIR id'),
    prop('numero', 'integer', 'Numéro', 'Number', { queryable: true }),
    prop('rep', 'text', 'Indice de répétition', 'Repetition index', { queryable: true }),
    prop('nom_voie', 'text', 'Voie', 'Street', { required: true, queryable: true }),
    prop('code_postal', 'text', 'Code postal', 'Postcode', { queryable: true }),
    prop('code_insee', 'text', 'Code INSEE', 'INSEE code', { required: true, queryable: true }),
    prop('nom_commune', 'text', 'Commune', 'Municipality', { required: true, queryable: true }),
    prop('cad_parcelles', 'text[]', 'Parcelles cadastrales', 'Cadastral parcels'),
  ],
  minzoom: 16,
  maxzoom: 18,
  style: { color: '#3d3d3d', order: 50, visible: false },
  public: true,
  source: 'Base Adresse Nationale (BAN), https://adresse.data.gouv.fr',
  import: { key: 'id' },
};
