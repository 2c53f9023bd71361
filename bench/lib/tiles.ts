// Web Mercator tile addressing shared by the suites: the tile under a point, the tiles covering a
// bbox, and the app's tile path.

export interface Tile { z: number; x: number; y: number }

/** The app's URL path of one layer's tile. */
export const pathOf = (layer: string, t: Tile) => `/tiles/${layer}/${t.z}/${t.x}/${t.y}.mvt`;

/** The tile of zoom `z` holding longitude/latitude `lon`, `lat`. */
export function tileAt(lon: number, lat: number, z: number): Tile {
  const n = 2 ** z;
  const phi = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lon + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n) };
}

/** The tiles of zoom `z` covering [west, south, east, north], row by row. */
export function tilesCovering([west, south, east, north]: readonly number[], z: number): Tile[] {
  const a = tileAt(west!, north!, z);
  const b = tileAt(east!, south!, z);
  const tiles: Tile[] = [];
  for (let y = a.y; y <= b.y; y++) for (let x = a.x; x <= b.x; x++) tiles.push({ z, x, y });
  return tiles;
}
