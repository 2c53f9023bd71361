// Encodes features already in integer tile coordinates into a Mapbox Vector Tile with @maplibre/vt-pbf,
// putting polygon rings in MVT winding order (spec 2.1 §4.3.4.4).
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { Geometry, Position } from 'geojson';
import { TILE_EXTENT } from './tile-sql.ts';

export type TileValue = string | number | boolean | null;

/** One feature as the portable tile query returns it: id, public properties, tile-space geometry. */
export interface TileSpaceFeature {
  id: number;
  properties: Record<string, TileValue>;
  geometry: Geometry;
}

export interface TileSpaceLayer {
  name: string;
  features: readonly TileSpaceFeature[];
}

/** The shape vt-pbf reads (geojson-vt's tile features): 1 = points, 3 = polygon rings. */
interface VtFeature {
  id: number;
  type: 1 | 3;
  geometry: number[][] | number[][][];
  tags: Record<string, string | number | boolean>;
}

/** The surveyor's formula in tile coordinates (y down): positive for an MVT exterior ring. */
export function surveyorArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += ring[j]![0]! * ring[i]![1]! - ring[i]![0]! * ring[j]![1]!;
  }
  return sum / 2;
}

/** The ring without consecutive repeats, closed, oriented so that its area has the sign asked for. */
function orientRing(ring: readonly Position[], exterior: boolean): number[][] | undefined {
  const points: number[][] = [];
  for (const [x, y] of ring) {
    const last = points[points.length - 1];
    if (!last || last[0] !== x || last[1] !== y) points.push([x!, y!]);
  }
  const first = points[0];
  const last = points[points.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) points.push([first[0]!, first[1]!]);
  if (points.length < 4) return undefined;
  const area = surveyorArea(points);
  if (area === 0) return undefined;
  return (area > 0) === exterior ? points : points.reverse();
}

/** Polygon rings flattened the MVT way: each exterior (positive area) followed by its holes. */
function polygonRings(polygons: readonly Position[][][]): number[][][] {
  const rings: number[][][] = [];
  for (const polygon of polygons) {
    const exterior = polygon[0] && orientRing(polygon[0], true);
    if (!exterior) continue;
    rings.push(exterior);
    for (const hole of polygon.slice(1)) {
      const oriented = orientRing(hole, false);
      if (oriented) rings.push(oriented);
    }
  }
  return rings;
}

function toVtGeometry(geometry: Geometry): Pick<VtFeature, 'type' | 'geometry'> | undefined {
  switch (geometry.type) {
    case 'Point':
      return { type: 1, geometry: [[geometry.coordinates[0]!, geometry.coordinates[1]!]] };
    case 'MultiPoint':
      return geometry.coordinates.length ? { type: 1, geometry: geometry.coordinates.map(([x, y]) => [x!, y!]) } : undefined;
    case 'Polygon':
    case 'MultiPolygon': {
      const rings = polygonRings(geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates);
      return rings.length ? { type: 3, geometry: rings } : undefined;
    }
    default:
      throw new Error(`tile geometry type ${geometry.type} is not produced by any layer`);
  }
}

function toVtFeature(feature: TileSpaceFeature): VtFeature | undefined {
  const geometry = toVtGeometry(feature.geometry);
  if (!geometry) return undefined;
  const tags: VtFeature['tags'] = {};
  for (const [key, value] of Object.entries(feature.properties)) if (value !== null) tags[key] = value;
  return { id: feature.id, ...geometry, tags };
}

/** The tile's bytes; layers left without features are omitted, so a tile with none is empty. */
export function encodeTile(layers: readonly TileSpaceLayer[]): Buffer {
  const vtLayers: Record<string, { features: VtFeature[] }> = {};
  for (const layer of layers) {
    const features = layer.features.map(toVtFeature).filter((f): f is VtFeature => f !== undefined);
    if (features.length) vtLayers[layer.name] = { features };
  }
  if (Object.keys(vtLayers).length === 0) return Buffer.alloc(0);
  const bytes = fromGeojsonVt(vtLayers as unknown as Parameters<typeof fromGeojsonVt>[0], { version: 2, extent: TILE_EXTENT });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
