// GET /layers (the public part of the descriptions, for the web panel and legend) and each
// layer's public features as GeoJSON.
import Router from '@koa/router';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { publicProperties } from '../../core/layers/registry.ts';
import { ident, publicFeatureJson, publicRowFilter } from '../../core/layers/layer-sql.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { parseBbox } from '../http/params.ts';
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
      })),
    ],
    style: layer.style,
    legend,
    geojson: `/api/layers/${layer.id}/features.geojson`,
    tilejson: `/tiles/${layer.id}.json`,
  };
}

const MAX_FEATURES = 50_000;

/** Routes reading the layer registry; one SQL statement per layer, built once here. */
export function layersRoutes({ db, layers }: RouteDeps): Router {
  const router = new Router();
  const publicLayers = layers.all.filter((l) => l.public);
  const body = { layers: [...publicLayers].sort((a, b) => a.style.order - b.style.order).map(describeLayerPublicly) };
  const featureSql = new Map(
    publicLayers.map((layer) => [
      layer.id,
      `SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(f.feature), '[]'::json))::text AS body
         FROM (SELECT ${publicFeatureJson(layer)} AS feature FROM ${ident(layer.id)} t
                WHERE ${publicRowFilter(layer)}
                  AND ($1::float8 IS NULL OR t.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326))
                ORDER BY t.${ident(layer.featureIdColumn)} LIMIT ${MAX_FEATURES}) f`,
    ]),
  );

  router.get('/layers', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = body;
  });

  router.get('/api/layers/:id/features.geojson', async (ctx) => {
    const sql = featureSql.get(ctx.params.id);
    if (!sql) throw notFound(`unknown layer "${ctx.params.id}"`);
    const raw = ctx.query.bbox;
    if (Array.isArray(raw)) throw badRequest('bbox given twice');
    const bbox = raw === undefined ? [null, null, null, null] : parseBbox(raw);
    const result = await db.query<{ body: string }>(sql, bbox);
    ctx.type = 'application/geo+json';
    ctx.body = result.rows[0]!.body;
  });
  return router;
}
