// Fibre deployment zones: a commune split into sectors meeting at its centre, GEOS-free.
import { cross, Frame, pointInRing, segmentDistance, signedArea, type Random, type XY } from './demo-geometry.ts';

type Path = { vertex: number; points: XY[]; local: XY[] };

/**
 * Splits a commune's outer ring (open, counter-clockwise, longitude/latitude) into `count` sectors
 * meeting at `centre`. Sector edges run from the centre to existing boundary vertices, so every
 * sector is made of the commune's own vertices plus interior points: it stays exactly inside the
 * commune after rounding, and neighbours share their edges exactly.
 */
export function splitAroundCentre(ring: readonly XY[], centre: XY, count: number, random: Random): XY[][] {
  if (count === 1) return [[...ring]];
  const frame = new Frame(centre);
  const local = ring.map((p) => frame.toLocal(p));
  if (!pointInRing([0, 0], local)) throw new Error(`sector centre ${centre.join(',')} is outside its commune`);
  const angles = local.map(([x, y]) => Math.atan2(y, x));
  const step = (2 * Math.PI) / count;
  const start = random.range(-Math.PI, Math.PI);
  const paths: Path[] = [];
  for (let k = 0; k < count; k++) {
    const target = start + k * step + random.range(-0.2, 0.2) * step;
    const candidates = local
      .map((_, i) => ({ i, off: Math.abs(angleBetween(angles[i]!, target)) }))
      .filter((c) => c.off < 0.4 * step)
      .sort((a, b) => a.off - b.off || a.i - b.i);
    const path = firstValidPath(candidates.map((c) => c.i), local, frame, paths, random);
    if (!path) throw new Error(`no sector edge found from ${centre.join(',')} towards angle ${target.toFixed(2)}`);
    paths.push(path);
  }
  paths.sort((a, b) => a.vertex - b.vertex);
  return paths.map((from, k) => {
    const to = paths[(k + 1) % paths.length]!;
    const chain: XY[] = [];
    for (let i = from.vertex; ; i = (i + 1) % ring.length) {
      chain.push(ring[i]!);
      if (i === to.vertex) break;
    }
    const sector: XY[] = [centre, ...from.points, ...chain, ...[...to.points].reverse()];
    if (signedArea(sector) <= 0) throw new Error('sector is not counter-clockwise');
    return sector;
  });
}

const angleBetween = (a: number, b: number): number => Math.atan2(Math.sin(a - b), Math.cos(a - b));

/** The first candidate vertex reachable by a gently bent path (else a straight one) that crosses nothing. */
function firstValidPath(candidates: number[], local: XY[], frame: Frame, others: Path[], random: Random): Path | undefined {
  for (const vertex of candidates) {
    if (others.some((p) => p.vertex === vertex)) continue;
    const end = local[vertex]!;
    // Bent paths look like real cabinet boundaries (they follow lanes and hedges); straight is the fallback.
    for (let attempt = 0; attempt < 4; attempt++) {
      const bend = attempt < 3 ? 0.05 : 0;
      const normal: XY = [-end[1], end[0]];
      const mids = [0.2, 0.4, 0.6, 0.8].map((t) => {
        const off = random.range(-bend, bend);
        return frame.toLonLat([end[0] * t + normal[0] * off, end[1] * t + normal[1] * off]);
      });
      const path: Path = { vertex, points: mids, local: [[0, 0], ...mids.map((p) => frame.toLocal(p)), end] };
      if (pathIsClear(path, local, others)) return path;
    }
  }
  return undefined;
}

/** A path is clear when it stays off the boundary (but at its end vertex) and off the other paths (but at the centre). */
function pathIsClear(path: Path, local: XY[], others: Path[]): boolean {
  const n = local.length;
  const pts = path.local;
  for (let s = 0; s + 1 < pts.length; s++) {
    const a = pts[s]!;
    const b = pts[s + 1]!;
    const last = s + 2 === pts.length;
    for (let j = 0; j < n; j++) {
      const e0 = local[j]!;
      const e1 = local[(j + 1) % n]!;
      const incident = j === path.vertex || (j + 1) % n === path.vertex;
      if (last && incident) {
        // Meeting the boundary at the end vertex is intended; running along an edge is not.
        const other = j === path.vertex ? e1 : e0;
        if (Math.abs(sine(b, a, other)) < 0.02) return false;
      } else if (segmentDistance(a, b, e0, e1) < 1) return false;
    }
    for (const o of others) {
      for (let t = 0; t + 1 < o.local.length; t++) {
        if (s === 0 && t === 0) {
          if (Math.abs(sine(a, b, o.local[1]!)) < 0.05 && dotSign(a, b, o.local[1]!) > 0) return false;
        } else if (segmentDistance(a, b, o.local[t]!, o.local[t + 1]!) < 1) return false;
      }
    }
  }
  return true;
}

/** Sine of the angle at `o` between o→b and o→c. */
const sine = (o: XY, b: XY, c: XY): number =>
  cross(o, b, c) / (Math.hypot(b[0] - o[0], b[1] - o[1]) * Math.hypot(c[0] - o[0], c[1] - o[1]));
const dotSign = (o: XY, b: XY, c: XY): number => (b[0] - o[0]) * (c[0] - o[0]) + (b[1] - o[1]) * (c[1] - o[1]);
