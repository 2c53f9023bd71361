// Types of the part of geojson-validation (plain JavaScript) that the edit APIs call.
declare module 'geojson-validation' {
  /** With `trace`, the list of problems (empty when valid); without, whether the object is valid. */
  export function isGeometryObject(object: unknown, trace: true): string[];
  export function isFeature(object: unknown, trace: true): string[];
  export function isLineString(object: unknown, trace: true): string[];
}
