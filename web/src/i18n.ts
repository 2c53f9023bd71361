// The app's own strings in French and English, the current language and its change notifications.
import type { Lang, Localized } from './api.ts';

const STRINGS = {
  fr: {
    appTitle: 'WebSIG — Montfort Communauté',
    layersHeading: 'Couches',
    layersNav: 'Couches de la carte',
    togglePanel: 'Couches',
    languageGroup: 'Langue',
    mapRegion: 'Carte interactive du territoire',
    loading: 'Chargement de la carte…',
    layersError: 'Impossible de charger les couches',
    layerError: 'Impossible de charger la couche « {title} »',
    territoryError: 'Impossible de charger le contour du territoire',
    configError: 'Configuration indisponible : carte sans fond de plan',
    mapError: 'La carte ne peut pas s’afficher sur cet appareil (WebGL indisponible ?)',
    legendOther: 'Autre',
    fromZoom: 'Visible à partir du zoom {zoom} (zoomez)',
    upToZoom: 'Visible jusqu’au zoom {zoom} (dézoomez)',
    zoomIn: 'Zoom avant',
    zoomOut: 'Zoom arrière',
    resetBearing: 'Réorienter vers le nord',
    toggleAttribution: 'Afficher les crédits',
    yes: 'oui',
    no: 'non',
    skipSearch: 'Aller à la recherche',
    skipMap: 'Aller à la carte',
    accessibility: 'Accessibilité : partiellement conforme',
    staffConsole: 'Espace agents',
    mapKeyboardHint: 'Flèches pour déplacer, + et − pour zoomer, Entrée pour la réponse au centre de la carte',
    basemapHeading: 'Fond de plan',
    basemapIgnPlan: 'Plan IGN',
    basemapIgnOrtho: 'Photographies aériennes (IGN)',
    basemapOsm: 'OpenStreetMap',
    basemapNone: 'Aucun',
    cadastreOverlay: 'Parcelles cadastrales (IGN)',
    goTo: 'Aller à une commune ou une zone d’activité',
    goToPrompt: 'Choisir…',
    communes: 'Communes',
    businessZones: 'Zones d’activité',
    locateMe: 'Me localiser',
    locating: 'Localisation en cours…',
    located: 'Carte centrée sur votre position',
    locateFailed: 'Position indisponible (autorisation refusée ou signal absent)',
    locateUnavailable: 'Ce navigateur ne donne pas de position',
    summaryHeading: 'Ce que montre la carte',
    summaryEmpty: 'Aucun élément des couches affichées dans cette vue.',
    summaryZoom: 'Éléments des couches affichées dans la vue (zoom {zoom}) :',
    summaryLine: '{title} ({n}) : {names}',
    summaryMore: 'et {n} de plus',
  },
  en: {
    appTitle: 'WebSIG — Montfort Communauté',
    layersHeading: 'Layers',
    layersNav: 'Map layers',
    togglePanel: 'Layers',
    languageGroup: 'Language',
    mapRegion: 'Interactive map of the territory',
    loading: 'Loading the map…',
    layersError: 'Could not load the layers',
    layerError: 'Could not load the layer “{title}”',
    territoryError: 'Could not load the territory outline',
    configError: 'Settings unavailable: map shown without a basemap',
    mapError: 'The map cannot be shown on this device (WebGL unavailable?)',
    legendOther: 'Other',
    fromZoom: 'Visible from zoom {zoom} (zoom in)',
    upToZoom: 'Visible up to zoom {zoom} (zoom out)',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    resetBearing: 'Reset bearing to north',
    toggleAttribution: 'Toggle attribution',
    yes: 'yes',
    no: 'no',
    skipSearch: 'Skip to search',
    skipMap: 'Skip to map',
    accessibility: 'Accessibility: partially compliant',
    staffConsole: 'Staff area',
    mapKeyboardHint: 'Arrows to move, + and − to zoom, Enter for the answer at the centre of the map',
    basemapHeading: 'Basemap',
    basemapIgnPlan: 'IGN plan',
    basemapIgnOrtho: 'Aerial photographs (IGN)',
    basemapOsm: 'OpenStreetMap',
    basemapNone: 'None',
    cadastreOverlay: 'Cadastral parcels (IGN)',
    goTo: 'Go to a commune or a business zone',
    goToPrompt: 'Choose…',
    communes: 'Communes',
    businessZones: 'Business zones',
    locateMe: 'Locate me',
    locating: 'Locating…',
    located: 'Map centred on your position',
    locateFailed: 'Position unavailable (permission denied or no signal)',
    locateUnavailable: 'This browser gives no position',
    summaryHeading: 'What the map shows',
    summaryEmpty: 'No feature of the layers shown in this view.',
    summaryZoom: 'Features of the layers shown in the view (zoom {zoom}):',
    summaryLine: '{title} ({n}): {names}',
    summaryMore: 'and {n} more',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type StringKey = keyof (typeof STRINGS)['fr'];

const STORAGE_KEY = 'websig.lang';

let current: Lang = 'fr';
const listeners = new Set<(lang: Lang) => void>();

/** The language to start in: the visitor's stored choice, else the deployment default. */
export function initialLang(defaultLang: Lang): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'fr' || stored === 'en') return stored;
  } catch {
    // Storage can be disabled (private mode, strict settings): the default is then fine.
  }
  return defaultLang;
}

export function getLang(): Lang {
  return current;
}

/** Switches language, remembers the choice and tells every subscriber to relabel. */
export function setLang(lang: Lang, options: { remember?: boolean } = {}): void {
  current = lang;
  document.documentElement.lang = lang;
  if (options.remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not remembering is acceptable; the switch itself still works.
    }
  }
  for (const listener of listeners) listener(lang);
}

/** Calls `listener` on every language change. */
export function onLangChange(listener: (lang: Lang) => void): void {
  listeners.add(listener);
}

/** One of the app's strings in the current language, `{name}` placeholders filled from `params`. */
export function t(key: StringKey, params: Record<string, string | number> = {}): string {
  const text: string = STRINGS[current][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A server-provided label in the current language (French when the English one is missing). */
export function pick(label: Localized | undefined): string {
  if (!label) return '';
  return label[current] || label.fr;
}

/** Relabels the static markup: `data-i18n` sets the text, `data-i18n-<attr>` sets that attribute. */
export function applyStaticStrings(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    for (const attr of el.getAttributeNames()) {
      if (!attr.startsWith('data-i18n')) continue;
      const key = el.getAttribute(attr) as StringKey;
      if (!(key in STRINGS.fr)) continue;
      if (attr === 'data-i18n') el.textContent = t(key);
      else el.setAttribute(attr.slice('data-i18n-'.length), t(key));
    }
  }
  document.title = t('appTitle');
}
