// GET /layers: the public part of the descriptions, for the web panel and legend; GET /api/layers/{id}:
// a whole description (private fields too) for the staff console's forms.
import Router from '@koa/router';
import type { LayerDef, PropertyDef } from '../../core/layers/layer-def.ts';
import { publicProperties } from '../../core/layers/registry.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { notFound } from '../http/errors.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** What a client is told of one property. */
function describeField(p: PropertyDef) {
  return {
    name: p.name,
    type: p.type,
    label: p.label,
    ...(p.values ? { values: p.values } : {}),
    ...(p.references ? { references: p.references } : {}),
    ...(p.internal ? { internal: true } : {}),
    ...(p.format ? { format: p.format } : {}),
    ...(p.range ? { range: p.range } : {}),
  };
}

/** The staff view: the public one with every property, each saying whether it is public, required or computed. */
export function describeLayerForStaff(layer: LayerDef) {
  return {
    ...describeLayerPublicly(layer),
    fields: layer.properties.map((p) => ({
      ...describeField(p),
      public: p.public,
      ...(p.required ? { required: true } : {}),
      ...(p.computed ? { computed: true } : {}),
    })),
  };
}

/** The public view of a description: what a client may know about a layer. */
export function describeLayerPublicly(layer: LayerDef) {
  const colorBy = layer.properties.find((p) => p.name === layer.style.colorBy);
  const legend = colorBy?.values
    ? colorBy.values.map((v) => ({ value: v.value, label: v.label, color: v.color ?? layer.style.color }))
    : [{ value: null, label: layer.title, color: layer.style.color }];
  return {
    id: layer.id,
    title: layer.title,
    description: layer.description,
    geometryType: layer.geometryType,
    minzoom: layer.minzoom,
    maxzoom: layer.maxzoom,
    fields: [
      ...(layer.idType === 'text' ? [{ name: 'id', type: 'text', label: { fr: 'Identifiant', en: 'Identifier' } }] : []),
      ...publicProperties(layer).map(describeField),
    ],
    style: layer.style,
    legend,
    tilejson: `/tiles/${layer.id}.json`,
  };
}

/** The layer list, built once from the registry. */
export function layersRoutes({ db, layers }: RouteDeps): Router {
  const router = new Router();
  const publicLayers = layers.all.filter((l) => l.public);
  const body = { layers: [...publicLayers].sort((a, b) => a.style.order - b.style.order).map(describeLayerPublicly) };
  router.get('/layers', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = body;
  });
  router.get('/api/layers/:id', requireStaff(db), (ctx) => {
    const layer = layers.get(ctx.params.id ?? '');
    if (!layer) throw notFound(`couche inconnue / no layer ${String(ctx.params.id).slice(0, 60)}`);
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = describeLayerForStaff(layer);
  });
  return router;
}
