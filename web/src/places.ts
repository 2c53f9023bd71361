// The places the map can zoom to from a list (communes, business zones) with their bounds; the
// business zone names also stand for the zone ids that lots carry.
import type { Bbox, Territory } from './api.ts';
import { bboxOf } from './territory.ts';

export interface Place {
  kind: 'commune' | 'business_zone';
  id: string;
  name: string;
  bbox: Bbox;
}

/** Every zone of a small territory fits in one page of the OGC API. */
const ZONES_URL = '/ogc/collections/business_zones/items?limit=1000';

/** The communes of the territory, by name. */
export function communesOf(territory: Territory): Place[] {
  return territory.features.flatMap((feature) => {
    const bbox = bboxOf([feature.geometry]);
    return bbox ? [{ kind: 'commune' as const, id: feature.properties.code_insee, name: feature.properties.nom, bbox }] : [];
  }).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** The business zones, by name (their public name and bounds from the OGC API). */
export async function fetchBusinessZones(): Promise<Place[]> {
  const response = await fetch(ZONES_URL, { headers: { accept: 'application/geo+json' } });
  if (!response.ok) throw new Error(`GET ${ZONES_URL} answered ${response.status}`);
  const body = (await response.json()) as { features: { id: number; geometry: { coordinates: unknown } | null; properties: { name?: string } }[] };
  return body.features.flatMap((feature) => {
    const bbox = bboxOf([feature.geometry]);
    return bbox && feature.properties.name
      ? [{ kind: 'business_zone' as const, id: String(feature.id), name: feature.properties.name, bbox }] : [];
  }).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}
