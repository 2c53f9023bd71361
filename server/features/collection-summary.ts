// A layer's public extent, date range, feature count and last update, read in one scan; cached
// briefly because a scan of a 500,000-row layer takes a third of a second.
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../../core/db/database.ts';
import { PROPERTY_TYPES } from '../../core/layers/property-types.ts';
import type { LayerSql } from './feature-sql.ts';

export interface CollectionSummary {
  /** Public features. */
  readonly count: number;
  /** [minLon, minLat, maxLon, maxLat] of the public features; absent when there are none. */
  readonly bbox?: readonly [number, number, number, number];
  /** First and last value of the temporal property as RFC 3339 date-times (null: no dated feature). */
  readonly temporal?: readonly [string | null, string | null];
  /** Latest `updated_at` of a public feature: the data's last-update date. */
  readonly lastUpdate: Date | null;
}

const UTC_SECONDS = `'YYYY-MM-DD"T"HH24:MI:SS"Z"'`;

/** One aggregate query over the public rows; temporal bounds rendered in SQL so no time zone shifts them. */
export function summarySql(ls: LayerSql): string {
  const t = ls.temporal && ls.propertyColumn.get(ls.temporal.name)!;
  const asText = (agg: string) => ls.temporal && PROPERTY_TYPES[ls.temporal.type].temporal === 'day'
    ? `to_char(${agg}(${t}), 'YYYY-MM-DD"T00:00:00Z"')`
    : `to_char(${agg}(${t}) AT TIME ZONE 'UTC', ${UTC_SECONDS})`;
  return `SELECT count, ST_XMin(e) AS min_x, ST_YMin(e) AS min_y, ST_XMax(e) AS max_x, ST_YMax(e) AS max_y,
      last_update, t_min, t_max
    FROM (SELECT count(*) AS count, ST_Extent(t.geom)::box3d AS e, max(t.updated_at) AS last_update,
            ${t ? `${asText('min')} AS t_min, ${asText('max')} AS t_max` : 'NULL::text AS t_min, NULL::text AS t_max'}
          FROM ${ls.table} t WHERE ${ls.rowFilter}) s`;
}

interface SummaryRow {
  count: number;
  min_x: number | null;
  min_y: number | null;
  max_x: number | null;
  max_y: number | null;
  last_update: Date | null;
  t_min: string | null;
  t_max: string | null;
}

/** Reads a layer's summary now. */
export async function readSummary(db: Queryable, ls: LayerSql): Promise<CollectionSummary> {
  const row = (await db.query<SummaryRow & Record<string, unknown>>(summarySql(ls))).rows[0]!;
  return {
    count: row.count,
    ...(row.min_x !== null ? { bbox: [row.min_x, row.min_y!, row.max_x!, row.max_y!] as const } : {}),
    ...(ls.temporal ? { temporal: [row.t_min, row.t_max] as const } : {}),
    lastUpdate: row.last_update,
  };
}

export interface SummaryCache {
  get(ls: LayerSql): Promise<CollectionSummary>;
}

/** Summaries kept for `ttlMs` (0: read every time); concurrent requests for one layer share one scan. */
export function createSummaryCache(db: Queryable, ttlMs: number): SummaryCache {
  if (ttlMs === 0) return { get: (ls) => readSummary(db, ls) };
  const byLayer = new Map<string, LayerSql>();
  const cache = new LRUCache<string, CollectionSummary>({
    max: 1000,
    ttl: ttlMs,
    fetchMethod: (id) => readSummary(db, byLayer.get(id)!),
  });
  return {
    async get(ls) {
      byLayer.set(ls.layer.id, ls);
      return (await cache.fetch(ls.layer.id))!;
    },
  };
}
