// Keeps MapLibre's own control labels in the app's language (MapLibre reads its locale only at start-up).
import type { Map as MapLibreMap } from 'maplibre-gl';
import { t, type StringKey } from './i18n.ts';

/** MapLibre's locale for the strings we translate, given to the Map constructor. */
export function mapLocale(): Record<string, string> {
  return {
    'Map.Title': t('mapRegion'),
    'NavigationControl.ZoomIn': t('zoomIn'),
    'NavigationControl.ZoomOut': t('zoomOut'),
    'NavigationControl.ResetBearing': t('resetBearing'),
    'AttributionControl.ToggleAttribution': t('toggleAttribution'),
  };
}

const CONTROL_LABELS: [selector: string, key: StringKey][] = [
  ['.maplibregl-ctrl-zoom-in', 'zoomIn'],
  ['.maplibregl-ctrl-zoom-out', 'zoomOut'],
  ['.maplibregl-ctrl-compass', 'resetBearing'],
  ['.maplibregl-ctrl-attrib-button', 'toggleAttribution'],
];

/** Relabels the controls and the canvas already on the page after a language switch. */
export function relabelMapControls(map: MapLibreMap): void {
  const container = map.getContainer();
  for (const [selector, key] of CONTROL_LABELS) {
    for (const el of container.querySelectorAll<HTMLElement>(selector)) {
      el.setAttribute('aria-label', t(key));
      el.title = t(key);
    }
  }
  map.getCanvas().setAttribute('aria-label', t('mapRegion'));
}
