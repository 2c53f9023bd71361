// The layer registry: every layer description, validated and frozen once at start-up.
import type { LayerDef, PropertyDef } from './layer-def.ts';
import { validateCodeRoles } from './code-roles.ts';
import { PROPERTY_TYPES } from './property-types.ts';
import { fibrePhases } from './fibre-phases.layer.ts';
import { fibrePremises } from './fibre-premises.layer.ts';
import { wifiHotspots } from './wifi-hotspots.layer.ts';
import { businessZones } from './business-zones.layer.ts';
import { zoneLots } from './zone-lots.layer.ts';
import { incidents } from './incidents.layer.ts';
import { addresses } from './addresses.layer.ts';
import { parcels } from './parcels.layer.ts';

/** The layers in their default drawing order. */
export const ALL_LAYERS: readonly LayerDef[] = [
  parcels, fibrePhases, businessZones, zoneLots, addresses, fibrePremises, wifiHotspots, incidents,
];

export interface LayerRegistry {
  readonly all: readonly LayerDef[];
  get(id: string): LayerDef | undefined;
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
/** Names the platform's own columns and routes use; a property may not shadow them. */
const RESERVED_COLUMNS = new Set(['id', 'fid', 'geom', 'geom_3857', 'created_at', 'updated_at']);

/** Throws on the first inconsistency in a description: ids, names, zooms, code lists and their roles, style,
 *  date property. */
export function validateLayerDef(layer: LayerDef): void {
  const where = `layer description "${layer.id}"`;
  if (!IDENTIFIER.test(layer.id)) throw new Error(`${where}: id must be a lower-case SQL identifier`);
  if (layer.idType === 'text' && layer.featureIdColumn !== 'fid') {
    throw new Error(`${where}: a text id needs the integer "fid" surrogate as feature id`);
  }
  if (layer.idType === 'integer' && layer.featureIdColumn !== 'id') {
    throw new Error(`${where}: an integer id is its own feature id`);
  }
  if (!(layer.minzoom >= 0 && layer.minzoom <= layer.maxzoom && layer.maxzoom <= 22)) {
    throw new Error(`${where}: zoom range ${layer.minzoom}-${layer.maxzoom} must lie within 0-22`);
  }
  const names = new Set<string>();
  for (const p of layer.properties) {
    if (!IDENTIFIER.test(p.name)) throw new Error(`${where}: property "${p.name}" is not a lower-case SQL identifier`);
    if (RESERVED_COLUMNS.has(p.name)) throw new Error(`${where}: property "${p.name}" shadows a reserved column`);
    if (names.has(p.name)) throw new Error(`${where}: property "${p.name}" is described twice`);
    names.add(p.name);
    if (p.values && p.type !== 'text') throw new Error(`${where}: code list on non-text property "${p.name}"`);
    if (p.range && !(p.type === 'integer' && Number.isInteger(p.range.min) && Number.isInteger(p.range.max) && p.range.min <= p.range.max)) {
      throw new Error(`${where}: range of "${p.name}" must be integer bounds, min ≤ max, on an integer property`);
    }
  }
  validateCodeRoles(layer);
  const colorBy = layer.style.colorBy;
  if (colorBy !== undefined && !layer.properties.find((p) => p.name === colorBy)?.values) {
    throw new Error(`${where}: style colours by "${colorBy}", which is not a property with a code list`);
  }
  const named = layer.properties.find((p) => p.name === layer.style.label);
  if (layer.style.label !== undefined && !(named?.public && named.type === 'text')) {
    throw new Error(`${where}: features are named by "${layer.style.label}", which is not a public text property`);
  }
  for (const key of [layer.temporalProperty, layer.publishedColumn]) {
    if (key !== undefined && !names.has(key)) throw new Error(`${where}: "${key}" is not one of its properties`);
  }
  const temporal = layer.properties.find((p) => p.name === layer.temporalProperty);
  if (temporal && !PROPERTY_TYPES[temporal.type].temporal) {
    throw new Error(`${where}: temporal property "${temporal.name}" is of type ${temporal.type}, not a date or date-time`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validates and freezes the given descriptions (all of them by default) into a registry. */
export function createLayerRegistry(layers: readonly LayerDef[] = ALL_LAYERS): LayerRegistry {
  const byId = new Map<string, LayerDef>();
  for (const layer of layers) {
    validateLayerDef(layer);
    if (byId.has(layer.id)) throw new Error(`layer "${layer.id}" is described twice`);
    byId.set(layer.id, deepFreeze(layer));
  }
  for (const layer of byId.values()) {
    for (const { name, references } of layer.properties) {
      if (references && !byId.get(references.layer)?.properties.some((p) => p.name === references.label && p.public)) {
        throw new Error(`layer description "${layer.id}": "${name}" names ${references.layer}.${references.label}, which is not a public property of a described layer`);
      }
    }
  }
  const all = Object.freeze([...byId.values()]);
  return Object.freeze({ all, get: (id: string) => byId.get(id) });
}

/** The properties that may appear in public responses, tiles and exports. */
export function publicProperties(layer: LayerDef): readonly PropertyDef[] {
  return layer.properties.filter((p) => p.public);
}
