// Types for geojson-validation 1.0.2, which ships none: the checks this project calls.
declare module 'geojson-validation' {
  /** What makes `value` not an RFC 7946 geometry object (empty when it is one). */
  export function isGeometryObject(value: unknown, trace: true): string[];
}
