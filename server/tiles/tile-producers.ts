// The two tile producers behind one contract, and the start-up check that picks one: PostGIS's
// ST_AsMVT where the database has protobuf, else the portable SQL with the JS encoder.
import type { Logger } from 'pino';
import pg from 'pg';
import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import type { TileCoord } from './tile-address.ts';
import { buildMvtTileSql, buildPortableTileSql } from './tile-sql.ts';
import { encodeTile, type TileSpaceFeature } from './mvt-encode.ts';

export type ProducerName = 'asmvt' | 'js';

/** A layer's version as the tile's own statement saw it (rows of layer_versions). */
export interface SnapshotVersion {
  readonly layer: string;
  readonly version: number;
  readonly stamp: string;
}

/** An encoded tile and the versions of its layers in the snapshot it was read from. */
export interface ProducedTile {
  readonly body: Buffer;
  readonly versions: readonly SnapshotVersion[];
}

export interface TileProducer {
  readonly name: ProducerName;
  /** The encoded tile of these layers (already narrowed to the zoom); empty when nothing is in it. */
  produce(layers: readonly LayerDef[], coord: TileCoord): Promise<Buffer>;
  /** The tile with the layer versions read by the same statement, on `via` (a replica) or the producer's database. */
  produceVersioned(layers: readonly LayerDef[], coord: TileCoord, via?: Queryable): Promise<ProducedTile>;
}

/**
 * Adds the layers' versions to a tile query as one more column. One statement reads one snapshot
 * (READ COMMITTED takes it per statement, subqueries included), so the versions are exactly those of
 * the data the tile was built from, on the primary or on a replica that lags, and a tile can be
 * cached under no other version. The ids are bound as $4, never spliced.
 */
function withVersions(tileSql: string): string {
  return `SELECT t.*, (SELECT coalesce(json_agg(json_build_array(v.layer, v.version, v.stamp::text)), '[]'::json)
      FROM layer_versions v WHERE v.layer = ANY($4::text[])) AS versions
    FROM (${tileSql}) t`;
}

type VersionsColumn = { versions: [string, number, string][] };
const snapshotVersions = (row: VersionsColumn): SnapshotVersion[] =>
  row.versions.map(([layer, version, stamp]) => ({ layer, version: Number(version), stamp }));

interface PreparedTileSql {
  text: string;
  /** Prepared-statement name: each connection plans the tile query once, as martin does. */
  name: string;
}

/** Memoises SQL per layer set: the sets come from the registry, so there are at most 2^n of them. */
function sqlPerLayerSet(producer: string, buildTile: (layers: readonly LayerDef[]) => string) {
  const build = (layers: readonly LayerDef[]) => withVersions(buildTile(layers));
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
  const produceVersioned = async (layers: readonly LayerDef[], { z, x, y }: TileCoord, via: Queryable = db) => {
    const { text, name } = sqlFor(layers);
    const { rows } = await via.query<{ tile: Buffer } & VersionsColumn>(text, [z, x, y, layers.map((l) => l.id)], name);
    return { body: rows[0]!.tile, versions: snapshotVersions(rows[0]!) };
  };
  return {
    name: 'asmvt',
    produceVersioned,
    produce: (layers, coord) => produceVersioned(layers, coord).then((t) => t.body),
  };
}

type PortableRow = Record<string, [number, TileSpaceFeature['properties'], TileSpaceFeature['geometry']][]>;

/** Tiles from the portable SQL (clip, tile space, grid, validity) encoded in JS: any PostGIS. */
export function createJsProducer(db: Database): TileProducer {
  const sqlFor = sqlPerLayerSet('js', buildPortableTileSql);
  const produceVersioned = async (layers: readonly LayerDef[], { z, x, y }: TileCoord, via: Queryable = db) => {
    const { text, name } = sqlFor(layers);
    const { rows } = await via.query<PortableRow & VersionsColumn>(text, [z, x, y, layers.map((l) => l.id)], name);
    const row = rows[0]!;
    const body = encodeTile(layers.map((layer, i) => ({
      name: layer.id,
      features: (row[`l${i}`] as PortableRow[string]).map(([id, properties, geometry]) => ({ id, properties, geometry })),
    })));
    return { body, versions: snapshotVersions(row) };
  };
  return {
    name: 'js',
    produceVersioned,
    produce: (layers, coord) => produceVersioned(layers, coord).then((t) => t.body),
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
