// Reads the per-layer data versions (table layer_versions, bumped by triggers on every write) at
// most once per freshness window, shared by all requests: cheap enough for every tile request, and
// any write committed before a request arrived shows once the window has passed, on every instance.
import type { Queryable } from '../../core/db/database.ts';

export type LayerVersionMap = ReadonlyMap<string, number>;

export interface LayerVersions {
  /** Versions read by a query that started at most `freshnessMs` before this call. */
  current(): Promise<LayerVersionMap>;
}

interface Read {
  startedAt: number;
  versions: Promise<LayerVersionMap>;
}

/** `freshnessMs` 0 reads on every call; `now` is injectable for tests. */
export function createLayerVersions(db: Queryable, freshnessMs: number, now: () => number = performance.now.bind(performance)): LayerVersions {
  let latest: Read | undefined;
  const read = (): Read => {
    const startedAt = now();
    const versions = db.query<{ layer: string; version: number }>('SELECT layer, version FROM layer_versions')
      .then(({ rows }) => new Map(rows.map((r) => [r.layer, r.version])) as LayerVersionMap);
    const attempt = { startedAt, versions };
    // A failed read is not reused: the next request tries again.
    versions.catch(() => { if (latest === attempt) latest = undefined; });
    return attempt;
  };
  return {
    current() {
      // A read still in flight counts as fresh if it started recently enough: requests share it.
      if (!latest || latest.startedAt < now() - freshnessMs || freshnessMs === 0) latest = read();
      return latest.versions;
    },
  };
}

/** The version string of a layer set as it goes into cache keys, ETags and TileJSON. */
export function versionTag(versions: LayerVersionMap, layerIds: readonly string[]): string {
  return layerIds.map((id) => `${id}:${versions.get(id) ?? 0}`).join(',');
}
