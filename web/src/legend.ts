// The layer panel: one checkbox per layer toggling its visibility, with its legend underneath.
import type { LayerInfo, LegendEntry } from './api.ts';
import type { DataLayers } from './map-layers.ts';
import { pick, t } from './i18n.ts';

export interface LayerPanel {
  /** Re-renders every text in the current language (checkbox state is kept). */
  relabel(): void;
  /** Flags the layers the current zoom does not show, so an empty map is explained. */
  updateZoom(zoom: number): void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  return el;
}

/** The entries to show: the server's legend, or a single swatch titled after the layer when it has none. */
function legendEntries(layer: LayerInfo): LegendEntry[] {
  return layer.legend.length > 0 ? layer.legend : [{ value: null, label: layer.title, color: layer.style.color }];
}

function legendLabel(layer: LayerInfo, entry: LegendEntry): string {
  return pick(entry.label) || (entry.value === null ? t('legendOther') : entry.value) || pick(layer.title);
}

/** Builds the panel into `list` (a `<ul>`) from the layers on the map; `onToggle` hears each switch (for the permalink). */
export function renderLayerPanel(list: HTMLElement, data: DataLayers, onToggle: () => void = () => {}): LayerPanel {
  const relabelers: (() => void)[] = [];
  const zoomHints: ((zoom: number) => void)[] = [];
  list.replaceChildren();

  // Topmost layer first, as in every GIS layer list.
  for (const layer of [...data.layers].reverse()) {
    const item = element('li', 'layer');
    item.dataset.layerId = layer.id;

    const row = element('div', 'layer-toggle');
    const checkbox = element('input');
    checkbox.type = 'checkbox';
    checkbox.id = `layer-${layer.id}`;
    checkbox.checked = data.isVisible(layer.id);
    const label = element('label');
    label.htmlFor = checkbox.id;
    row.append(checkbox, label);

    const hint = element('p', 'zoom-hint');
    hint.id = `layer-${layer.id}-zoom`;
    hint.hidden = true;
    // The description is for screen readers; sighted users get the legend right below.
    const description = element('span', 'visually-hidden');
    description.id = `layer-${layer.id}-desc`;
    row.append(description);
    checkbox.setAttribute('aria-describedby', `${description.id} ${hint.id}`);

    // The legend of a hidden layer is noise: it shows only while the layer is on.
    const legend = element('ul', 'legend');
    legend.hidden = !checkbox.checked;
    const swatchKind = layer.geometryType === 'Point' ? 'swatch swatch-point' : 'swatch swatch-area';
    const legendTexts = legendEntries(layer).map((entry) => {
      const li = element('li');
      const swatch = element('span', swatchKind);
      swatch.style.setProperty('--swatch', entry.color);
      swatch.setAttribute('aria-hidden', 'true');
      const text = element('span');
      li.append(swatch, text);
      legend.append(li);
      return () => { text.textContent = legendLabel(layer, entry); };
    });

    let hintText: () => string = () => '';
    relabelers.push(() => {
      label.textContent = pick(layer.title);
      description.textContent = pick(layer.description);
      legend.setAttribute('aria-label', pick(layer.title));
      legendTexts.forEach((relabel) => relabel());
      hint.textContent = hintText();
    });
    zoomHints.push((zoom) => {
      // Style-layer zoom ranges are [minzoom, maxzoom + 1): see buildStyleLayers.
      const below = zoom < layer.minzoom;
      const above = zoom >= layer.maxzoom + 1;
      hintText = below ? () => t('fromZoom', { zoom: layer.minzoom })
        : above ? () => t('upToZoom', { zoom: layer.maxzoom }) : () => '';
      hint.hidden = !(below || above);
      hint.textContent = hintText();
    });

    checkbox.addEventListener('change', () => {
      data.setVisible(layer.id, checkbox.checked);
      legend.hidden = !checkbox.checked;
      onToggle();
    });

    item.append(row, hint, legend);
    list.append(item);
  }

  const panel: LayerPanel = {
    relabel: () => relabelers.forEach((relabel) => relabel()),
    updateZoom: (zoom) => zoomHints.forEach((update) => update(zoom)),
  };
  panel.relabel();
  return panel;
}
