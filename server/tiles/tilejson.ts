// TileJSON 3.0.0 for a layer set: tiles URL, vector_layers with their fields, bounds and centre from
// the data, and the data version (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0).
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { PROPERTY_TYPES } from '../../core/layers/property-types.ts';
import { publicProperties } from '../../core/layers/registry.ts';

export type Bounds = [west: number, south: number, east: number, north: number];

/** The whole Web Mercator world: TileJSON's default when a layer set holds no data yet. */
export const WORLD_BOUNDS: Bounds = [-180, -85.051129, 180, 85.051129];

/** `{field: type}` of what a layer's tile features carry (the text id included where ids are text). */
export function tileFields(layer: LayerDef): Record<string, string> {
  const fields: Record<string, string> = layer.idType === 'text' ? { id: PROPERTY_TYPES.text.tileField } : {};
  for (const p of publicProperties(layer)) fields[p.name] = PROPERTY_TYPES[p.type].tileField;
  return fields;
}

/** The smallest box around the given ones (undefined entries are layers without data). */
export function unionBounds(all: readonly (Bounds | undefined)[]): Bounds {
  const present = all.filter((b): b is Bounds => b !== undefined);
  if (present.length === 0) return WORLD_BOUNDS;
  return [
    Math.min(...present.map((b) => b[0])), Math.min(...present.map((b) => b[1])),
    Math.max(...present.map((b) => b[2])), Math.max(...present.map((b) => b[3])),
  ];
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export interface TileJsonInput {
  /** Absolute URL of the tiles, with {z}/{x}/{y}. */
  tilesUrl: string;
  layers: readonly LayerDef[];
  bounds: Bounds;
  dataVersion: string;
}

/** The TileJSON document; `data_version` changes whenever a write touches one of the layers. */
export function buildTileJson({ tilesUrl, layers, bounds, dataVersion }: TileJsonInput) {
  const minzoom = Math.min(...layers.map((l) => l.minzoom));
  const maxzoom = Math.max(...layers.map((l) => l.maxzoom));
  const rounded = bounds.map(round6) as Bounds;
  return {
    tilejson: '3.0.0',
    name: layers.map((l) => l.title.fr).join(' + '),
    description: layers.map((l) => l.description.fr).join(' '),
    scheme: 'xyz',
    tiles: [tilesUrl],
    minzoom,
    maxzoom,
    bounds: rounded,
    center: [round6((rounded[0] + rounded[2]) / 2), round6((rounded[1] + rounded[3]) / 2), minzoom],
    vector_layers: layers.map((l) => ({
      id: l.id,
      description: l.title.fr,
      minzoom: l.minzoom,
      maxzoom: l.maxzoom,
      fields: tileFields(l),
    })),
    data_version: dataVersion,
  };
}
