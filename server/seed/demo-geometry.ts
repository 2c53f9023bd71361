// Seeded randomness and small planar geometry helpers for the demo data (no GEOS, no clock).
import type { Position } from 'geojson';

export type XY = [number, number];

/** A seeded pseudo-random source (mulberry32): the same seed always gives the same sequence. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** Rounds a coordinate to 7 decimals (~1 cm), the precision every demo geometry is stored with. */
export const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;

/**
 * A local metric frame (equirectangular around an origin): metre-scale layouts are drawn in it and
 * converted to longitude/latitude. Over a few kilometres its distortion is far below a metre.
 */
export class Frame {
  private readonly kx: number;
  private readonly ky = 111_195;

  constructor(readonly origin: XY) {
    this.kx = this.ky * Math.cos((origin[1] * Math.PI) / 180);
  }

  /** Longitude/latitude (rounded to 7 decimals) of a local point in metres. */
  toLonLat([x, y]: XY): XY {
    return [round7(this.origin[0] + x / this.kx), round7(this.origin[1] + y / this.ky)];
  }

  /** Local metres of a longitude/latitude position. */
  toLocal(p: Position): XY {
    return [(p[0]! - this.origin[0]) * this.kx, (p[1]! - this.origin[1]) * this.ky];
  }
}

/** Vector helpers: sum, scaling, and the vector of given angle (radians) and length. */
export const add = (a: XY, b: XY): XY => [a[0] + b[0], a[1] + b[1]];
export const scale = (a: XY, k: number): XY => [a[0] * k, a[1] * k];
export const polar = (angle: number, length: number): XY => [Math.cos(angle) * length, Math.sin(angle) * length];
const sub = (a: XY, b: XY): XY => [a[0] - b[0], a[1] - b[1]];
const dot = (a: XY, b: XY): number => a[0] * b[0] + a[1] * b[1];
/** z of (b - o) × (c - o): positive when o, b, c turn left. */
export const cross = (o: XY, b: XY, c: XY): number => (b[0] - o[0]) * (c[1] - o[1]) - (b[1] - o[1]) * (c[0] - o[0]);

/** Signed area of an open ring (positive when counter-clockwise). */
export function signedArea(ring: readonly XY[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % ring.length]!;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return sum / 2;
}

/** Distance from p to segment ab. */
export function pointSegmentDistance(p: XY, a: XY, b: XY): number {
  const ab = sub(b, a);
  const len2 = dot(ab, ab);
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, dot(sub(p, a), ab) / len2));
  const d = sub(p, add(a, scale(ab, t)));
  return Math.hypot(d[0], d[1]);
}

/** Distance between segments ab and cd (0 when they cross or touch). */
export function segmentDistance(a: XY, b: XY, c: XY, d: XY): number {
  const d1 = cross(a, b, c);
  const d2 = cross(a, b, d);
  const d3 = cross(c, d, a);
  const d4 = cross(c, d, b);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 0;
  return Math.min(pointSegmentDistance(a, c, d), pointSegmentDistance(b, c, d), pointSegmentDistance(c, a, b), pointSegmentDistance(d, a, b));
}

/** Even-odd point-in-ring test (open ring). */
export function pointInRing(p: XY, ring: readonly XY[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

/** Smallest distance from a point to a ring's edges (open ring). */
export function distanceToRing(p: XY, ring: readonly XY[]): number {
  let best = Infinity;
  for (let i = 0; i < ring.length; i++) best = Math.min(best, pointSegmentDistance(p, ring[i]!, ring[(i + 1) % ring.length]!));
  return best;
}

/** True when polygon `inner` (open ring) lies inside `outer` with at least `margin` to its boundary. */
export function ringInside(inner: readonly XY[], outer: readonly XY[], margin: number): boolean {
  if (!inner.every((p) => pointInRing(p, outer) && distanceToRing(p, outer) >= margin)) return false;
  for (let i = 0; i < inner.length; i++) {
    const a = inner[i]!;
    const b = inner[(i + 1) % inner.length]!;
    for (let j = 0; j < outer.length; j++) {
      if (segmentDistance(a, b, outer[j]!, outer[(j + 1) % outer.length]!) < margin) return false;
    }
  }
  return true;
}

/** Convex hull (monotone chain), counter-clockwise, open. */
export function convexHull(points: readonly XY[]): XY[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const half = (list: XY[]): XY[] => {
    const out: XY[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/** True when an open ring is strictly convex and counter-clockwise. */
export function isConvexCcw(ring: readonly XY[]): boolean {
  return ring.every((p, i) => cross(p, ring[(i + 1) % ring.length]!, ring[(i + 2) % ring.length]!) > 0);
}

/** True when p is inside the convex counter-clockwise ring at least `margin` from each edge. */
export function insideConvex(p: XY, ring: readonly XY[], margin: number): boolean {
  return ring.every((a, i) => {
    const b = ring[(i + 1) % ring.length]!;
    return cross(a, b, p) / Math.hypot(b[0] - a[0], b[1] - a[1]) >= margin;
  });
}

/** Separating-axis test: true when two convex rings come closer than `gap` to each other. */
export function convexNear(a: readonly XY[], b: readonly XY[], gap: number): boolean {
  for (const [ring, other] of [[a, b], [b, a]] as const) {
    for (let i = 0; i < ring.length; i++) {
      const p = ring[i]!;
      const q = ring[(i + 1) % ring.length]!;
      const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
      // Both rings are counter-clockwise: `other` is separated when all of it lies right of edge pq.
      if (other.every((o) => -cross(p, q, o) / len >= gap)) return false;
    }
  }
  return true;
}

/** Closes an open ring of longitude/latitude positions (GeoJSON wants first = last). */
export const closeRing = (ring: readonly XY[]): XY[] => [...ring, [ring[0]![0], ring[0]![1]]];
