// Fibre deployment zones (PM/SRO areas) with their phase and status (plan actions 1.1 / 6.1).
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';

export const FIBRE_STATUSES = [
  code('deployed', 'Déployée', 'Deployed', '#1b7a3a', 'deployed'),
  code('in_progress', 'En cours de déploiement', 'In deployment', '#c77700', 'in_progress'),
  code('planned', 'Programmée', 'Planned', '#2160a8', 'planned'),
  code('study', "À l'étude", 'Under study', '#7a4fb0', 'study'),
  code('not_planned', 'Non programmée', 'Not planned', '#6b7075', 'not_planned'),
] as const;

export const fibrePhases: LayerDef = {
  id: 'fibre_phases',
  title: label('Déploiement de la fibre', 'Fibre deployment'),
  description: label(
    'Zones de déploiement de la fibre optique (FttH) par phase, avec leur état et leurs dates prévues.',
    'Fibre-to-the-home deployment zones by phase, with their status and planned dates.',
  ),
  geometryType: 'MultiPolygon',
  srid: 4326,
  idType: 'integer',
  featureIdColumn: 'id',
  properties: [
    prop('zone_code', 'text', 'Code de zone', 'Zone code', { required: true, queryable: true }),
    prop('phase', 'integer', 'Phase', 'Phase', { queryable: true }),
    prop('status', 'text', 'État', 'Status', { required: true, queryable: true, values: FIBRE_STATUSES }),
    prop('planned_start', 'date', 'Début prévu', 'Planned start'),
    prop('planned_end', 'date', 'Fin prévue', 'Planned end'),
    prop('operator', 'text', 'Opérateur', 'Operator', { queryable: true }),
    prop('technology', 'text', 'Technologie', 'Technology', { queryable: true }),
    prop('premises', 'integer', 'Locaux', 'Premises'),
    prop('data_date', 'date', 'Date des données', 'Data date'),
  ],
  minzoom: 8,
  maxzoom: 18,
  style: { colorBy: 'status', color: '#6b7075', order: 10, visible: true },
  temporalProperty: 'planned_end',
  public: true,
  source: 'Montfort Communauté, d’après le programme Bretagne Très Haut Débit (Mégalis Bretagne)',
  import: { key: 'zone_code' },
};
