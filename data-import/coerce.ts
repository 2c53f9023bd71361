// Turns source values (text, numbers, booleans, dates) into the types of a layer's columns.
import type { PropertyType } from '../core/layers/layer-def.ts';
import { PROPERTY_TYPES } from '../core/layers/property-types.ts';

// Invalid is what coerceValue returns for a value its column cannot take.
export { Invalid, parseDate } from '../core/layers/property-values.ts';

/** True for values that mean "nothing": null, undefined, blank text. */
export const isBlank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * Converts one source value to a column type (its `coerce` in PROPERTY_TYPES); blank values become
 * null. Values come back bare, with no wrapper object per value: a million rows make this the hot
 * path. `separator` splits text into a text[] (BAN writes `cad_parcelles` as
 * `350880000A0012|350880000A0013`).
 */
export function coerceValue(raw: unknown, type: PropertyType, separator = '|'): unknown {
  return isBlank(raw) ? null : PROPERTY_TYPES[type].coerce(raw, separator);
}
