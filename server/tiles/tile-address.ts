// Parsers for the parts of a tile URL: the layer list and z/x/y; each throws a 400 or 404 that says why.
import { badRequest, notFound } from '../http/errors.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';

/** A tile in the XYZ scheme (y down from the north, as MapLibre asks for it). */
export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** The deepest zoom served: beyond it MapLibre overzooms the z22 tiles. */
export const MAX_TILE_ZOOM = 22;

const DIGITS = /^[0-9]{1,10}$/;

function parseTileNumber(name: string, raw: string): number {
  if (!DIGITS.test(raw)) throw badRequest(`tile ${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/** Parses z, x and y as they come in the path; x and y must lie in the 2^z × 2^z grid. */
export function parseTileCoord(z: string, x: string, y: string): TileCoord {
  const coord = { z: parseTileNumber('z', z), x: parseTileNumber('x', x), y: parseTileNumber('y', y) };
  if (coord.z > MAX_TILE_ZOOM) throw badRequest(`tile z must lie within 0-${MAX_TILE_ZOOM}, got ${coord.z}`);
  const size = 2 ** coord.z;
  if (coord.x >= size || coord.y >= size) {
    throw badRequest(`tile x and y must lie within 0-${size - 1} at zoom ${coord.z}, got ${coord.x}/${coord.y}`);
  }
  return coord;
}

/** Resolves "a,b,c" to layer descriptions, in the order given; 404 for an id no public layer has. */
export function parseLayerList(raw: string, lookup: (id: string) => LayerDef | undefined): LayerDef[] {
  const ids = raw.split(',');
  if (ids.some((id) => id === '')) throw badRequest(`layers must be layer ids joined by commas, got "${raw}"`);
  if (new Set(ids).size !== ids.length) throw badRequest(`a layer is listed twice in "${raw}"`);
  return ids.map((id) => {
    const layer = lookup(id);
    if (!layer) throw notFound(`unknown layer "${id}"`);
    return layer;
  });
}

/** The layers of a set that the given zoom shows (each layer's minzoom/maxzoom from its description). */
export function layersAtZoom(layers: readonly LayerDef[], z: number): LayerDef[] {
  return layers.filter((layer) => z >= layer.minzoom && z <= layer.maxzoom);
}
