// GET /layers: the public part of the descriptions, for the web panel and legend.
import Router from '@koa/router';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { publicProperties } from '../../core/layers/registry.ts';
import type { RouteDeps } from '../http/route-deps.ts';

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
      ...publicProperties(layer).map((p) => ({
        name: p.name,
        type: p.type,
        label: p.label,
        ...(p.values ? { values: p.values } : {}),
        ...(p.references ? { references: p.references } : {}),
        ...(p.internal ? { internal: true } : {}),
        ...(p.format ? { format: p.format } : {}),
      })),
    ],
    style: layer.style,
    legend,
    tilejson: `/tiles/${layer.id}.json`,
  };
}

/** The layer list, built once from the registry. */
export function layersRoutes({ layers }: RouteDeps): Router {
  const router = new Router();
  const publicLayers = layers.all.filter((l) => l.public);
  const body = { layers: [...publicLayers].sort((a, b) => a.style.order - b.style.order).map(describeLayerPublicly) };
  router.get('/layers', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = body;
  });
  return router;
}
