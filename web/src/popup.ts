// The feature popup: a clicked feature's public properties under their labels, in the current language.
import { Popup } from 'maplibre-gl';
import type { LngLatLike, Map as MapLibreMap } from 'maplibre-gl';
import type { FieldInfo, Lang, LayerInfo } from './api.ts';
import { getLang, pick, t } from './i18n.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function locale(lang: Lang): string {
  return lang === 'fr' ? 'fr-FR' : 'en-GB';
}

/** Array properties arrive as arrays from GeoJSON but as JSON text from vector tiles. */
function asList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: shown as plain text.
    }
  }
  return null;
}

/** One property value as the reader should see it: code-list label, localised number or date, or text. */
export function formatValue(field: FieldInfo, value: unknown, lang: Lang): string {
  const code = field.values?.find((v) => v.value === String(value));
  if (code) return code.label[lang] || code.label.fr;
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (typeof value === 'number' && (field.type === 'number' || field.type === 'integer')) {
    return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 2 }).format(value);
  }
  if (typeof value === 'string' && (field.type === 'date' || field.type === 'datetime') && ISO_DATE.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) {
      const options: Intl.DateTimeFormatOptions = field.type === 'date'
        ? { dateStyle: 'long', timeZone: 'UTC' } // a bare date is a calendar day, not an instant
        : { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' };
      return new Intl.DateTimeFormat(locale(lang), options).format(date);
    }
  }
  const list = asList(value);
  if (list) return list.map(String).join(', ');
  return String(value);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The popup body: the layer title, then a definition list of the non-empty public properties. */
export function buildPopupContent(layer: LayerInfo, properties: Record<string, unknown>): HTMLElement {
  const lang = getLang();
  const root = document.createElement('div');
  root.className = 'feature-popup';
  root.lang = lang;
  const heading = document.createElement('h2');
  heading.textContent = pick(layer.title);
  const list = document.createElement('dl');
  for (const field of layer.fields) {
    const value = properties[field.name];
    if (isEmpty(value)) continue;
    const term = document.createElement('dt');
    term.textContent = pick(field.label) || field.name;
    const definition = document.createElement('dd');
    const text = formatValue(field, value, lang);
    if (/^https?:\/\//.test(text)) {
      const link = document.createElement('a');
      link.href = text;
      link.textContent = text;
      link.rel = 'noopener noreferrer';
      link.target = '_blank';
      definition.append(link);
    } else {
      definition.textContent = text;
    }
    list.append(term, definition);
  }
  root.append(heading, list);
  return root;
}

/** One popup for the whole map, re-rendered in place when the language changes. */
export class FeaturePopup {
  private readonly popup = new Popup({ closeButton: true, closeOnClick: true, maxWidth: '340px', focusAfterOpen: true });
  private shown: { layer: LayerInfo; properties: Record<string, unknown> } | null = null;

  constructor(private readonly map: MapLibreMap) {
    this.popup.on('close', () => { this.shown = null; });
  }

  show(lngLat: LngLatLike, layer: LayerInfo, properties: Record<string, unknown>): void {
    this.shown = { layer, properties };
    this.popup.setLngLat(lngLat).setDOMContent(buildPopupContent(layer, properties));
    if (!this.popup.isOpen()) this.popup.addTo(this.map);
    this.decorate();
  }

  /** Re-renders the open popup in the current language. */
  relabel(): void {
    if (!this.shown) return;
    this.popup.setDOMContent(buildPopupContent(this.shown.layer, this.shown.properties));
    this.decorate();
  }

  /** MapLibre's close button is labelled once per map in its own locale: keep it in ours, and let Escape close. */
  private decorate(): void {
    const el = this.popup.getElement();
    if (!el) return;
    el.querySelector('.maplibregl-popup-close-button')?.setAttribute('aria-label', t('popupClose'));
    el.querySelector('.maplibregl-popup-close-button')?.setAttribute('title', t('popupClose'));
    if (!el.dataset.escapeBound) {
      el.dataset.escapeBound = '1';
      el.addEventListener('keydown', (event) => {
        if (event.key !== 'Escape') return;
        this.popup.remove();
        this.map.getCanvas().focus();
      });
    }
  }
}
