// The side panel's map tools: the basemap choice and the cadastre overlay, "go to" a commune or a
// business zone from a list, and "locate me"; each choice is kept in the address bar (permalink).
import { LngLatBounds, Marker, type Map as MapLibreMap } from 'maplibre-gl';
import type { BasemapKind } from './api.ts';
import { BASEMAP_KINDS, setBasemap, setCadastre } from './basemap.ts';
import { onLangChange, t, type StringKey } from './i18n.ts';
import { showView } from './permalink.ts';
import type { Place } from './places.ts';

const BASEMAP_LABELS: Record<BasemapKind, StringKey> = {
  'ign-plan': 'basemapIgnPlan', 'ign-ortho': 'basemapIgnOrtho', osm: 'basemapOsm', none: 'basemapNone',
};

/** Zoom for a located visitor: the street around them. */
const LOCATED_ZOOM = 16;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  return el;
}

/** Relabels `el` with `key` now and on every language change. */
function labelled<T extends HTMLElement>(el: T, key: StringKey, attribute?: string): T {
  const apply = (): void => {
    if (attribute) el.setAttribute(attribute, t(key));
    else el.textContent = t(key);
  };
  apply();
  onLangChange(apply);
  return el;
}

/** The basemap radio group and the cadastre checkbox, applied to the map and the permalink. */
export function renderBasemapChooser(root: HTMLElement, map: MapLibreMap, initial: { basemap: BasemapKind; cadastre: boolean }): void {
  const fieldset = element('fieldset', 'tool-group');
  fieldset.append(labelled(element('legend'), 'basemapHeading'));
  for (const kind of BASEMAP_KINDS) {
    const row = element('label', 'tool-choice');
    const radio = element('input');
    radio.type = 'radio';
    radio.name = 'basemap';
    radio.value = kind;
    radio.checked = kind === initial.basemap;
    radio.addEventListener('change', () => {
      setBasemap(map, kind);
      showView({ basemap: kind });
    });
    row.append(radio, labelled(element('span'), BASEMAP_LABELS[kind]));
    fieldset.append(row);
  }
  const overlay = element('label', 'tool-choice tool-overlay');
  const checkbox = element('input');
  checkbox.type = 'checkbox';
  checkbox.checked = initial.cadastre;
  checkbox.addEventListener('change', () => {
    setCadastre(map, checkbox.checked);
    showView({ cadastre: checkbox.checked });
  });
  overlay.append(checkbox, labelled(element('span'), 'cadastreOverlay'));
  fieldset.append(overlay);
  root.append(fieldset);
  setBasemap(map, initial.basemap);
  setCadastre(map, initial.cadastre);
}

/** "Go to": one list of communes and business zones, and the "locate me" button. */
export function renderNavigation(root: HTMLElement, map: MapLibreMap, places: { communes: Place[]; zones: Place[] }): void {
  const group = element('div', 'tool-group');
  const label = labelled(element('label', 'tool-label'), 'goTo');
  const select = element('select', 'tool-select');
  select.id = 'go-to';
  label.htmlFor = select.id;
  const prompt = labelled(element('option'), 'goToPrompt');
  prompt.value = '';
  select.append(prompt);
  const byValue = new Map<string, Place>();
  for (const [key, list] of [['communes', places.communes], ['businessZones', places.zones]] as const) {
    if (list.length === 0) continue;
    const optgroup = labelled(element('optgroup'), key, 'label');
    for (const place of list) {
      const option = element('option');
      option.value = `${place.kind}:${place.id}`;
      option.textContent = place.name;
      byValue.set(option.value, place);
      optgroup.append(option);
    }
    select.append(optgroup);
  }
  // `change` fires on each arrow key in some browsers: the map moves to the place shown, which is
  // what a keyboard user browsing the list expects to see.
  select.addEventListener('change', () => {
    const place = byValue.get(select.value);
    if (!place) return;
    const [w, s, e, n] = place.bbox;
    map.fitBounds(new LngLatBounds([w, s], [e, n]), { padding: 40, maxZoom: 17, duration: 0 });
  });

  const locate = labelled(element('button', 'tool-button'), 'locateMe');
  locate.type = 'button';
  const status = element('p', 'tool-status');
  status.setAttribute('role', 'status');
  let located: Marker | null = null;
  locate.addEventListener('click', () => {
    if (!('geolocation' in navigator)) {
      status.textContent = t('locateUnavailable');
      return;
    }
    status.textContent = t('locating');
    navigator.geolocation.getCurrentPosition((position) => {
      const at: [number, number] = [position.coords.longitude, position.coords.latitude];
      located = (located ?? new Marker({ color: '#0b4f8a', scale: 0.7 })).setLngLat(at).addTo(map);
      map.jumpTo({ center: at, zoom: Math.max(map.getZoom(), LOCATED_ZOOM) });
      status.textContent = t('located');
    }, () => {
      status.textContent = t('locateFailed');
    }, { enableHighAccuracy: true, timeout: 15_000 });
  });
  group.append(label, select, locate, status);
  root.append(group);
}
