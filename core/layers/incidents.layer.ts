// Incidents reported by residents and businesses (plan action 5.3); reporters' details stay private.
import type { LayerDef } from './layer-def.ts';
import { code, label, prop } from './labels.ts';

export const incidents: LayerDef = {
  id: 'incidents',
  title: label('Signalements', 'Incident reports'),
  description: label(
    'Incidents signalés sur le territoire et leur traitement. Seuls les signalements publiés par les agents sont visibles.',
    'Incidents reported on the territory and their handling. Only reports published by staff are shown.',
  ),
  geometryType: 'Point',
  srid: 4326,
  idType: 'integer',
  featureIdColumn: 'id',
  properties: [
    prop('service_code', 'text', 'Catégorie', 'Category', {
      required: true,
      queryable: true,
      values: [
        code('lighting', 'Éclairage public', 'Street lighting'),
        code('roads', 'Voirie', 'Roads'),
        code('signage', 'Signalisation', 'Signage'),
        code('waste', 'Déchets', 'Waste'),
        code('network', 'Réseaux (fibre, électricité)', 'Networks (fibre, power)'),
        code('green_space', 'Espaces verts', 'Green spaces'),
        code('other', 'Autre', 'Other'),
      ],
    }),
    prop('description', 'text', 'Description', 'Description', { required: true }),
    prop('status', 'text', 'État', 'Status', {
      required: true,
      queryable: true,
      values: [
        code('new', 'Nouveau', 'New', '#a02c2c'),
        code('acknowledged', 'Pris en compte', 'Acknowledged', '#c77700'),
        code('in_progress', 'En cours de traitement', 'In progress', '#2160a8'),
        code('resolved', 'Résolu', 'Resolved', '#1b7a3a'),
        code('rejected', 'Rejeté', 'Rejected', '#6b7075'),
        code('duplicate', 'Doublon', 'Duplicate', '#8a8f94'),
      ],
    }),
    prop('duplicate_of', 'integer', 'Doublon du signalement', 'Duplicate of report'),
    prop('requested_datetime', 'datetime', 'Signalé le', 'Reported at', { required: true }),
    prop('updated_datetime', 'datetime', 'Mis à jour le', 'Updated at'),
    prop('address_string', 'text', 'Adresse', 'Address'),
    prop('media_url', 'text', 'Photo', 'Photo'),
    prop('status_notes', 'text', 'Réponse des services', 'Staff answer'),
    prop('reporter_name', 'text', 'Nom du déclarant', 'Reporter name', { public: false }),
    prop('reporter_email', 'text', 'Courriel du déclarant', 'Reporter e-mail', { public: false }),
    prop('reporter_phone', 'text', 'Téléphone du déclarant', 'Reporter phone', { public: false }),
    prop('published', 'boolean', 'Publié', 'Published', { public: false, required: true }),
    // Names the report on its tracking page and in Open311 before publication; random, so that
    // unpublished reports cannot be listed by counting ids.
    prop('tracking_token', 'text', 'Jeton de suivi', 'Tracking token', { public: false, required: true, computed: true, internal: true }),
    prop('closed_at', 'datetime', 'Clos le', 'Closed at', { public: false, computed: true, internal: true }),
    prop('reporter_purged_at', 'datetime', 'Coordonnées effacées le', 'Contact details erased at', { public: false, computed: true, internal: true }),
  ],
  minzoom: 10,
  maxzoom: 18,
  style: { colorBy: 'status', color: '#a02c2c', order: 80, visible: true },
  temporalProperty: 'requested_datetime',
  public: true,
  source: 'Signalements des habitants et des entreprises, publiés par Montfort Communauté',
  publishedColumn: 'published',
};
