// Business zone outlines and their lots, laid out in a commune's local metric frame.
import {
  add, convexHull, distanceToRing, Frame, insideConvex, isConvexCcw, pointInRing, polar, ringInside, type Random, type XY,
} from './demo-geometry.ts';
import type { ZoneKind } from './demo-territory.ts';

export interface LotShape {
  /** Open counter-clockwise ring, longitude/latitude. */
  ring: XY[];
  /** A point just behind the lot's frontage, for its postal address. */
  front: XY;
  /** 1 on the left of the first access road, -1 on its right, 0 on the other roads. */
  side: number;
}

export interface ZoneLayout {
  /** Open counter-clockwise convex ring, longitude/latitude. */
  ring: XY[];
  lots: LotShape[];
  /** Points on the access roads (between lots), for incident reports. */
  roadPoints: XY[];
}

const ROAD_HALF_WIDTH = 6;
const MAX_LOTS = 40;
const LOT_WIDTHS: Record<ZoneKind, [number, number]> = {
  craft: [24, 40], office: [30, 50], mixed: [34, 60], commercial: [40, 65], industrial: [55, 95],
};

/**
 * Places a convex zone of about `hectares` in the commune (local ring around `frame`'s origin, the
 * town centre), away from the town centre, and cuts lots along one or more access roads.
 */
export function layoutZone(frame: Frame, commune: XY[], hectares: number, kind: ZoneKind, random: Random): ZoneLayout {
  for (let attempt = 0; attempt < 400; attempt++) {
    const centre = polar(random.range(-Math.PI, Math.PI), random.range(700, 1900));
    const axis = random.range(0, Math.PI);
    const outline = zoneOutline(centre, axis, hectares, random);
    const ring = outline.map((p) => frame.toLocal(frame.toLonLat(p)));
    // Keep clear of the town centre's streets (within ~450 m) and 40 m inside the commune.
    if (pointInRing([0, 0], ring) || distanceToRing([0, 0], ring) < 480) continue;
    if (!isConvexCcw(ring) || !ringInside(ring, commune, 40)) continue;
    return { ring: ring.map((p) => frame.toLonLat(p)), ...cutLots(frame, ring, centre, axis, kind, random) };
  }
  throw new Error('no room found for a business zone');
}

/** An irregular convex outline: jittered vertices around an ellipse of the requested area. */
function zoneOutline(centre: XY, axis: number, hectares: number, random: Random): XY[] {
  const ratio = random.range(1.3, 1.9);
  // The hull of points jittered around an ellipse is a little smaller than the ellipse.
  const a = Math.sqrt((hectares * 10_000 * 1.12 * ratio) / Math.PI);
  const b = a / ratio;
  const n = random.int(7, 10);
  const points: XY[] = [];
  for (let i = 0; i < n; i++) {
    const t = ((i + random.range(-0.3, 0.3)) * 2 * Math.PI) / n;
    const f = random.range(0.92, 1.08);
    points.push(add(centre, rotate([a * f * Math.cos(t), b * f * Math.sin(t)], axis)));
  }
  return convexHull(points);
}

const rotate = ([u, v]: XY, angle: number): XY => [u * Math.cos(angle) - v * Math.sin(angle), u * Math.sin(angle) + v * Math.cos(angle)];

/** Rows of lots on both sides of parallel access roads; neighbours in a row share their side edge exactly. */
function cutLots(frame: Frame, zone: XY[], centre: XY, axis: number, kind: ZoneKind, random: Random): Omit<ZoneLayout, 'ring'> {
  const extent = Math.max(...zone.map((p) => Math.hypot(p[0] - centre[0], p[1] - centre[1])));
  const depth = random.range(45, 70);
  // Back-to-back rows of two roads stay apart (a hedge strip) whatever their jittered depths.
  const spacing = 2 * (ROAD_HALF_WIDTH + depth + 10) + 6;
  const roads = Math.max(1, Math.floor((1.3 * extent) / spacing));
  const [wMin, wMax] = LOT_WIDTHS[kind];
  const toLocal = (u: number, v: number): XY => add(centre, rotate([u, v], axis));
  const lots: LotShape[] = [];
  const roadPoints: XY[] = [];
  for (let r = 0; r < roads; r++) {
    const road = (r - (roads - 1) / 2) * spacing;
    for (let u = -extent; u < extent; u += random.range(40, 90)) {
      if (insideConvex(toLocal(u, road), zone, 15)) roadPoints.push(frame.toLonLat(toLocal(u, road)));
    }
    for (const side of [1, -1]) {
      const front = road + side * ROAD_HALF_WIDTH;
      const cuts: { u: number; f: XY; b: XY }[] = [];
      for (let u = -extent; u < extent; u += random.range(wMin, wMax)) {
        const back = side * (depth + random.range(-8, 8));
        // Points are rounded once, then shared by both lots on either side of the cut.
        cuts.push({ u, f: frame.toLonLat(toLocal(u, front)), b: frame.toLonLat(toLocal(u + random.range(-6, 6), front + back)) });
      }
      for (let k = 0; k + 1 < cuts.length; k++) {
        const [c0, c1] = [cuts[k]!, cuts[k + 1]!];
        const ring = side > 0 ? [c0.f, c1.f, c1.b, c0.b] : [c0.b, c1.b, c1.f, c0.f];
        const local = ring.map((p) => frame.toLocal(p));
        if (!isConvexCcw(local) || !local.every((p) => insideConvex(p, zone, 5))) continue;
        const address = frame.toLonLat(toLocal((c0.u + c1.u) / 2, front + side * 5));
        lots.push({ ring, front: address, side: r === 0 ? side : 0 });
      }
    }
  }
  return { lots: lots.slice(0, MAX_LOTS), roadPoints };
}
