// The map in words: the features drawn in the current view, by layer, refreshed when the map comes to
// rest. It is the text alternative of the map for screen readers, and a list anyone can read.
import type { Map as MapLibreMap } from 'maplibre-gl';
import { featureName, type FeatureHit, type NameOf } from './feature-details.ts';
import { onLangChange, pick, t } from './i18n.ts';

/** Names listed per layer; past it the list says how many more there are. */
const PER_LAYER = 15;

export interface MapSummarySource {
  /** Every thematic feature drawn in the view, topmost layer first. */
  visibleFeatures(): FeatureHit[];
  nameOf: NameOf;
}

/** Fills `root` (a section with a heading) with the visible features whenever the map is idle. */
export function setupMapSummary(root: HTMLElement, map: MapLibreMap, source: MapSummarySource): void {
  const list = document.createElement('ul');
  list.className = 'map-summary-list';
  const empty = document.createElement('p');
  empty.className = 'map-summary-empty';
  root.append(empty, list);

  const render = (): void => {
    const byLayer = new Map<string, { title: string; names: Set<string> }>();
    for (const hit of source.visibleFeatures()) {
      const entry = byLayer.get(hit.layer.id) ?? { title: pick(hit.layer.title), names: new Set<string>() };
      // Tiles repeat a feature on each tile it crosses: the set keeps one line per name.
      entry.names.add(featureName(hit, source.nameOf));
      byLayer.set(hit.layer.id, entry);
    }
    empty.textContent = byLayer.size === 0 ? t('summaryEmpty') : t('summaryZoom', { zoom: Math.round(map.getZoom() * 10) / 10 });
    list.replaceChildren(...[...byLayer.values()].map(({ title, names }) => {
      const item = document.createElement('li');
      const shown = [...names].sort((a, b) => a.localeCompare(b, 'fr', { numeric: true })).slice(0, PER_LAYER);
      const more = names.size - shown.length;
      item.textContent = t('summaryLine', { title, n: names.size, names: shown.join(' ; ') }) + (more > 0 ? ` ${t('summaryMore', { n: more })}` : '');
      return item;
    }));
  };
  map.on('idle', render);
  onLangChange(render);
}
