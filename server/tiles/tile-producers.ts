// The two tile producers behind one contract, and the start-up check that picks one: PostGIS's
// ST_AsMVT where the database has protobuf, else the portable SQL with the JS encoder.
import type { Logger } from 'pino';
import pg from 'pg';
import { createHash } from 'node:crypto';
import type { Database } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import type { TileCoord } from './tile-address.ts';
import { buildMvtTileSql, buildPortableTileSql } from './tile-sql.ts';
import { encodeTile, type TileSpaceFeature } from './mvt-encode.ts';

export type ProducerName = 'asmvt' | 'js';

export interface TileProducer {
  readonly name: ProducerName;
  /** The encoded tile of these layers (already narrowed to the zoom); empty when nothing is in it. */
  produce(layers: readonly LayerDef[], coord: TileCoord): Promise<Buffer>;
}

interface PreparedTileSql {
  text: string;
  /** Prepared-statement name: each connection plans the tile query once, as martin does. */
  name: string;
}

/** Memoises SQL per layer set: the sets come from the registry, so there are at most 2^n of them. */
function sqlPerLayerSet(producer: string, build: (layers: readonly LayerDef[]) => string) {
  const cache = new Map<string, PreparedTileSql>();
  return (layers: readonly LayerDef[]): PreparedTileSql => {
    const key = layers.map((l) => l.id).join(',');
    let sql = cache.get(key);
    if (sql === undefined) {
      const text = build(layers);
      // Named by content: apps sharing a connection (tests, or two producers) never clash on a name.
      sql = { text, name: `tile_${producer}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` };
      cache.set(key, sql);
    }
    return sql;
  };
}

/** Tiles from one ST_AsMVT query per request (PostGIS built with protobuf). */
export function createAsMvtProducer(db: Database): TileProducer {
  const sqlFor = sqlPerLayerSet('asmvt', buildMvtTileSql);
  return {
    name: 'asmvt',
    async produce(layers, { z, x, y }) {
      const { text, name } = sqlFor(layers);
      const { rows } = await db.query<{ tile: Buffer }>(text, [z, x, y], name);
      return rows[0]!.tile;
    },
  };
}

type PortableRow = Record<string, [number, TileSpaceFeature['properties'], TileSpaceFeature['geometry']][]>;

/** Tiles from the portable SQL (clip, tile space, grid, validity) encoded in JS: any PostGIS. */
export function createJsProducer(db: Database): TileProducer {
  const sqlFor = sqlPerLayerSet('js', buildPortableTileSql);
  return {
    name: 'js',
    async produce(layers, { z, x, y }) {
      const { text, name } = sqlFor(layers);
      const { rows } = await db.query<PortableRow>(text, [z, x, y], name);
      const row = rows[0]!;
      return encodeTile(layers.map((layer, i) => ({
        name: layer.id,
        features: row[`l${i}`]!.map(([id, properties, geometry]) => ({ id, properties, geometry })),
      })));
    },
  };
}

/** ST_AsMVT on a one-row set: a non-empty tile proves the function works. */
const PROBE_SQL = `SELECT ST_AsMVT(q, 'probe') AS tile FROM (
  SELECT ST_AsMVTGeom(ST_Point(1, 1, 3857), ST_MakeEnvelope(0, 0, 2, 2, 3857)) AS geom) q`;

/**
 * Picks the producer by what the database can do, once. The protobuf version is asked first so that
 * a database without it never sees a failing statement (the embedded server drops its connection on
 * one); where protobuf is reported, a real ST_AsMVT call must also succeed.
 */
export async function detectTileProducer(db: Database, log?: Logger): Promise<TileProducer> {
  const { rows } = await db.query<{ protobuf: string | null }>('SELECT postgis_libprotobuf_version() AS protobuf');
  if (rows[0]?.protobuf) {
    try {
      const probe = await db.query<{ tile: Buffer }>(PROBE_SQL);
      if (probe.rows[0]?.tile?.length) {
        log?.info({ producer: 'asmvt', protobuf: rows[0].protobuf }, 'vector tiles made by ST_AsMVT');
        return createAsMvtProducer(db);
      }
    } catch (error) {
      // Only a statement the server rejected says "no ST_AsMVT here"; a lost connection is rethrown.
      if (!(error instanceof pg.DatabaseError)) throw error;
      log?.warn({ err: error }, 'ST_AsMVT failed although protobuf is reported');
    }
  }
  log?.info({ producer: 'js' }, 'vector tiles encoded in JS (no protobuf in PostGIS)');
  return createJsProducer(db);
}
