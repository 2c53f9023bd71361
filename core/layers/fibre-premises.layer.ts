// Fibre premises (buildings) with their connection status, from operators' per-building data.
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';

export const fibrePremises: LayerDef = {
  id: 'fibre_premises',
  title: label('Locaux raccordables', 'Fibre premises'),
  description: label(
    'Immeubles et locaux du réseau fibre avec leur état de raccordement (données opérateur).',
    'Buildings and premises on the fibre network with their connection status (operator data).',
  ),
  geometryType: 'Point',
  srid: 4326,
  idType: 'integer',
  featureIdColumn: 'id',
  properties: [
    prop('premise_id', 'text', 'Identifiant du local', 'Premise id', { required: true, queryable: true }),
    prop('ban_id', 'text', 'Identifiant BAN', 'BAN id', { queryable: true }),
    prop('address', 'text', 'Adresse', 'Address'),
    prop('status', 'text', 'État', 'Status', {
      required: true,
      queryable: true,
      values: [
        code('target', 'Cible', 'Target', '#6b7075', 'target'),
        code('signed', 'Signé', 'Signed', '#2160a8', 'signed'),
        code('in_progress', 'En cours de déploiement', 'In deployment', '#c77700', 'in_progress'),
        code('deployed', 'Déployé', 'Deployed', '#1b7a3a', 'deployed'),
        code('connectable', 'Raccordable', 'Connectable', '#0b5d2a', 'connectable'),
        code('abandoned', 'Abandonné', 'Abandoned', '#a02c2c', 'not_planned'),
      ],
    }),
    prop('pm_ref', 'text', 'Point de mutualisation', 'Street cabinet (PM)', { queryable: true }),
    prop('operator', 'text', 'Opérateur', 'Operator', { queryable: true }),
    prop('updated_on', 'date', 'Mis à jour le', 'Updated on'),
    prop('source', 'text', 'Source', 'Source'),
  ],
  minzoom: 15,
  maxzoom: 18,
  style: { colorBy: 'status', color: '#6b7075', order: 60, visible: false },
  temporalProperty: 'updated_on',
  public: true,
  source: 'Opérateur du réseau FttH (données d’immeubles), Montfort Communauté',
  import: { key: 'premise_id' },
};
