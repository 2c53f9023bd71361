// Town-centre streets radiating from the church square, with building plots along both sides.
import {
  add, convexNear, type Frame, isConvexCcw, pointInRing, polar, ringInside, scale, segmentDistance, type Random, type XY,
} from './demo-geometry.ts';

export interface Plot {
  /** Open counter-clockwise ring, longitude/latitude. */
  ring: XY[];
  /** 1 on the left of the street (odd numbers), -1 on its right (even numbers). */
  side: number;
  /** Address points inside the plot: the main entrance, then any 'bis' and 'ter' ones. */
  entrances: { point: XY; rep: 'bis' | 'ter' | null }[];
}

export interface StreetLayout {
  name: string;
  /** Centre line, longitude/latitude. */
  line: XY[];
  /** Plots in numbering order: along the street, each side in turn per stretch. */
  plots: Plot[];
}

const HALF_WIDTH = 5;
const SQUARE: XY[] = Array.from({ length: 8 }, (_, i) => polar((i * Math.PI) / 4, 18));

/** Lays out one street per name around the frame's origin (the town centre) inside the commune's local ring. */
export function layoutBourg(frame: Frame, commune: XY[], names: string[], random: Random): StreetLayout[] {
  const base = random.range(-Math.PI, Math.PI);
  const lines: { name: string; points: XY[] }[] = [];
  names.forEach((name, i) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const heading = base + ((i + random.range(-0.15, 0.15)) * 2 * Math.PI) / names.length;
      const points = [polar(heading, random.range(20, 30))];
      // Towns (six streets or more) get longer streets than villages; the first street is the main one.
      const town = names.length >= 6;
      const stretches = i === 0 ? (town ? 4 : 3) : random.int(1, town ? 3 : 2);
      for (let s = 0; s < stretches; s++) points.push(add(points[s]!, polar(heading + random.range(-0.2, 0.2), random.range(60, 110))));
      const rounded = points.map((p) => frame.toLocal(frame.toLonLat(p)));
      if (streetIsClear(rounded, lines, commune)) {
        lines.push({ name, points: rounded });
        return;
      }
    }
    // A street that finds no room is left out: the bourg simply has one street fewer.
  });
  const obstacles = [SQUARE, ...lines.flatMap((l) => l.points.slice(1).map((p, s) => corridor(l.points[s]!, p)))];
  const placed: { row: number; local: XY[] }[] = [];
  let row = 0;
  return lines.map(({ name, points }) => {
    const plots: Plot[] = [];
    for (let s = 0; s + 1 < points.length; s++) {
      for (const side of [1, -1]) {
        plots.push(...rowOfPlots(frame, points[s]!, points[s + 1]!, side, row, commune, obstacles, placed, random));
        row++;
      }
    }
    return { name, line: points.map((p) => frame.toLonLat(p)), plots };
  });
}

/** A new street keeps 10 m from the others and room for its plots inside the commune. */
function streetIsClear(points: XY[], others: { points: XY[] }[], commune: XY[]): boolean {
  if (!ringInside(points, commune, 60)) return false;
  for (let s = 0; s + 1 < points.length; s++) {
    for (const o of others) {
      for (let t = 0; t + 1 < o.points.length; t++) {
        if (segmentDistance(points[s]!, points[s + 1]!, o.points[t]!, o.points[t + 1]!) < 10) return false;
      }
    }
  }
  return true;
}

/** The carriageway of one stretch as a convex counter-clockwise quad, extended past its ends. */
function corridor(p0: XY, p1: XY): XY[] {
  const len = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
  const dir: XY = [(p1[0] - p0[0]) / len, (p1[1] - p0[1]) / len];
  const nrm: XY = [-dir[1], dir[0]];
  const w = HALF_WIDTH - 0.5;
  const a = add(p0, scale(dir, -w));
  const b = add(p1, scale(dir, w));
  return [add(a, scale(nrm, -w)), add(b, scale(nrm, -w)), add(b, scale(nrm, w)), add(a, scale(nrm, w))];
}

/** Plots along one side of one stretch; neighbours share their side edge, others keep clear. */
function rowOfPlots(
  frame: Frame, p0: XY, p1: XY, side: number, row: number, commune: XY[], obstacles: XY[][],
  placed: { row: number; local: XY[] }[], random: Random,
): Plot[] {
  const len = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
  const dir: XY = [(p1[0] - p0[0]) / len, (p1[1] - p0[1]) / len];
  const nrm: XY = [-dir[1] * side, dir[0] * side];
  const at = (along: number, out: number): XY => add(add(p0, scale(dir, along)), scale(nrm, out));
  const cuts: { s: number; f: XY; b: XY }[] = [];
  for (let s = 5; s <= len - 5; s += random.range(17, 32)) {
    cuts.push({ s, f: frame.toLonLat(at(s, HALF_WIDTH)), b: frame.toLonLat(at(s + random.range(-2.5, 2.5), HALF_WIDTH + random.range(20, 36))) });
  }
  const plots: Plot[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [c0, c1] = [cuts[k]!, cuts[k + 1]!];
    const ring = side > 0 ? [c0.f, c1.f, c1.b, c0.b] : [c0.b, c1.b, c1.f, c0.f];
    const local = ring.map((p) => frame.toLocal(p));
    const clear = isConvexCcw(local)
      && obstacles.every((o) => !convexNear(local, o, 0.3))
      && placed.every((p) => p.row === row || !convexNear(local, p.local, 0.5))
      && ringInside(local, commune, 5);
    if (!clear) continue;
    placed.push({ row, local });
    const mid = (c0.s + c1.s) / 2;
    const quarter = (c1.s - c0.s) / 4;
    const entrances: Plot['entrances'] = [{ point: frame.toLonLat(at(mid, HALF_WIDTH + 4)), rep: null }];
    if (random.chance(0.05)) {
      entrances.push({ point: frame.toLonLat(at(mid + quarter, HALF_WIDTH + 12)), rep: 'bis' });
      if (random.chance(0.3)) entrances.push({ point: frame.toLonLat(at(mid - quarter, HALF_WIDTH + 12)), rep: 'ter' });
    }
    plots.push({ ring, side, entrances: entrances.filter((e) => pointInRing(frame.toLocal(e.point), local)) });
  }
  return plots;
}
