// Keeps the map's vector sources on the layers' current data: polls /api/tile-versions and reloads
// the TileJSON of a source whose layer changed, whose tile URLs then name the new version. Every
// tile URL stays cacheable forever, and an edit shows without a reload.
import type { Map as MapLibreMap, VectorTileSource } from 'maplibre-gl';

/** The `v` token a versioned tile URL carries, if any. */
export function tokenOfTileUrl(url: string): string | undefined {
  return /[?&]v=([^&#]*)/.exec(url)?.[1];
}

/** The layers whose polled token differs from the one their source's tile URLs carry. */
export function changedLayers(current: ReadonlyMap<string, string | undefined>, polled: Readonly<Record<string, string>>): string[] {
  return [...current].filter(([id, token]) => polled[id] !== undefined && token !== undefined && polled[id] !== token).map(([id]) => id);
}

/** Polls every `everyS` seconds while the page is visible; returns the function that stops it. */
export function followTileVersions(map: MapLibreMap, layerIds: readonly string[], everyS: number): () => void {
  if (everyS <= 0) return () => undefined;
  let polling = false;
  const poll = async () => {
    if (polling || document.hidden) return;
    polling = true;
    try {
      const res = await fetch('/api/tile-versions', { cache: 'no-cache' });
      if (!res.ok) return;
      const { layers } = (await res.json()) as { layers: Record<string, string> };
      const sources = new Map(layerIds.map((id) => [id, map.getSource(id) as VectorTileSource | undefined]));
      const current = new Map([...sources].map(([id, source]) => [id, source?.tiles?.[0] && tokenOfTileUrl(source.tiles[0])]));
      for (const id of changedLayers(current, layers)) {
        const source = sources.get(id)!;
        source.setUrl(source.url);
      }
    } catch (error) {
      // Offline or a server restarting: the next poll tries again.
      console.warn('tile versions poll failed', error);
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), everyS * 1000);
  return () => clearInterval(timer);
}
