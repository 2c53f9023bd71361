// The catalogue page's texts in French and English; the language choice is shared with the map.
import type { Lang } from '../api.ts';

const STRINGS = {
  fr: {
    skipList: 'Aller à la liste des terrains', title: 'Terrains disponibles dans les zones d’activité', navLabel: 'Navigation',
    backToMap: 'Carte', dashboardLink: 'Tableau de bord', language: 'Langue', filtersHeading: 'Rechercher un terrain',
    zone: 'Zone', commune: 'Commune', any: 'Toutes', areaMin: 'Surface min. (m²)', areaMax: 'Surface max. (m²)',
    priceMax: 'Prix max. (€/m²)', serviced: 'Viabilisé', fibre: 'Fibre disponible', search: 'Rechercher', listHeading: 'Terrains',
    mapLabel: 'Carte des terrains', dashboardHeading: 'Tableau de bord des zones d’activité', chartLabel: 'Lots par statut et par zone',
    csvLink: 'Télécharger ces chiffres (CSV)', count: '{n} terrain(s) trouvé(s)', none: 'Aucun terrain ne correspond à ces critères.',
    lotTitle: '{zone} — lot {number}', area: 'Surface', price: 'Prix', status: 'Statut', perM2: '€/m²', yes: 'oui', no: 'non',
    unknown: 'non renseigné', water: 'Eau potable', sewer: 'Assainissement', electricity: 'Électricité', activity: 'Activité',
    fibreAnswer: 'Fibre', neighbours: 'Lots voisins', noNeighbour: 'Aucun lot voisin.', files: 'Documents', permalink: 'Lien vers ce lot',
    close: 'Retour à la liste', enquiryHeading: 'Demander des renseignements sur ce lot', name: 'Nom', company: 'Entreprise',
    email: 'E-mail', phone: 'Téléphone', message: 'Message', optional: '(facultatif)',
    consent: 'J’accepte que mes coordonnées soient utilisées par Montfort Communauté pour répondre à ma demande ; elles sont supprimées après {days} jours.',
    send: 'Envoyer la demande', sending: 'Envoi…', sent: 'Votre demande a bien été envoyée. Le service développement économique vous répondra.',
    fixErrors: 'La demande n’est pas partie : corrigez les champs signalés.', tooMany: 'Trop de demandes envoyées : réessayez plus tard.',
    failed: 'La demande n’a pas pu être envoyée. Réessayez plus tard.', website: 'Ne pas remplir ce champ',
    statusLabel: { available: 'Disponible', optioned: 'Sous option', reserved: 'Réservé', sold: 'Vendu', occupied: 'Occupé', unavailable: 'Indisponible' },
    fibreStatus: { deployed: 'déployée', connectable: 'raccordable', in_progress: 'en cours de déploiement', planned: 'prévue', study: 'à l’étude', not_planned: 'non prévue', unknown: 'inconnue' },
    tableZone: 'Zone', tableLots: 'Lots', tableOccupancy: 'Occupation', tableVacancy: 'Vacance', tableAvailable: 'Surface disponible (m²)',
    tableFibre: 'Lots couverts par la fibre', overall: 'Ensemble', loadError: 'Le catalogue n’a pas pu être chargé.',
  },
  en: {
    skipList: 'Skip to the list of lots', title: 'Available lots in the business zones', navLabel: 'Navigation',
    backToMap: 'Map', dashboardLink: 'Dashboard', language: 'Language', filtersHeading: 'Find a lot',
    zone: 'Zone', commune: 'Municipality', any: 'All', areaMin: 'Min. area (m²)', areaMax: 'Max. area (m²)',
    priceMax: 'Max. price (€/m²)', serviced: 'Serviced', fibre: 'Fibre available', search: 'Search', listHeading: 'Lots',
    mapLabel: 'Map of the lots', dashboardHeading: 'Business zones dashboard', chartLabel: 'Lots by status and zone',
    csvLink: 'Download these figures (CSV)', count: '{n} lot(s) found', none: 'No lot matches these criteria.',
    lotTitle: '{zone} — lot {number}', area: 'Area', price: 'Price', status: 'Status', perM2: '€/m²', yes: 'yes', no: 'no',
    unknown: 'not stated', water: 'Drinking water', sewer: 'Sewer', electricity: 'Electricity', activity: 'Activity',
    fibreAnswer: 'Fibre', neighbours: 'Neighbouring lots', noNeighbour: 'No neighbouring lot.', files: 'Documents', permalink: 'Link to this lot',
    close: 'Back to the list', enquiryHeading: 'Ask about this lot', name: 'Name', company: 'Company',
    email: 'E-mail', phone: 'Phone', message: 'Message', optional: '(optional)',
    consent: 'I agree that Montfort Communauté uses my contact details to answer my enquiry; they are deleted after {days} days.',
    send: 'Send the enquiry', sending: 'Sending…', sent: 'Your enquiry has been sent. The economic development team will answer you.',
    fixErrors: 'The enquiry was not sent: correct the fields marked.', tooMany: 'Too many enquiries sent: try again later.',
    failed: 'The enquiry could not be sent. Try again later.', website: 'Leave this field empty',
    statusLabel: { available: 'Available', optioned: 'Optioned', reserved: 'Reserved', sold: 'Sold', occupied: 'Occupied', unavailable: 'Unavailable' },
    fibreStatus: { deployed: 'deployed', connectable: 'connectable', in_progress: 'being deployed', planned: 'planned', study: 'under study', not_planned: 'not planned', unknown: 'unknown' },
    tableZone: 'Zone', tableLots: 'Lots', tableOccupancy: 'Occupancy', tableVacancy: 'Vacancy', tableAvailable: 'Area available (m²)',
    tableFibre: 'Lots covered by fibre', overall: 'Overall', loadError: 'The catalogue could not be loaded.',
  },
} as const;

type Texts = (typeof STRINGS)['fr'];
export type TextKey = { [K in keyof Texts]: Texts[K] extends string ? K : never }[keyof Texts];

const STORAGE_KEY = 'websig.lang';
let lang: Lang = 'fr';

export function startLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'fr' || stored === 'en') lang = stored;
  } catch {
    // Storage disabled: French, the default, is fine.
  }
  return lang;
}

export function currentLang(): Lang {
  return lang;
}

export function switchLang(next: Lang): void {
  lang = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembering is acceptable.
  }
}

export function tr(key: TextKey, params: Record<string, string | number> = {}): string {
  return (STRINGS[lang][key] as string).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function statusText(status: string): string {
  return (STRINGS[lang].statusLabel as Record<string, string>)[status] ?? status;
}

export function fibreText(status: string): string {
  return (STRINGS[lang].fibreStatus as Record<string, string>)[status] ?? status;
}

/** Relabels the static markup: `data-t` sets the text, `data-t-<attr>` an attribute. */
export function applyTexts(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    for (const attr of el.getAttributeNames()) {
      if (!attr.startsWith('data-t')) continue;
      const key = el.getAttribute(attr) as TextKey;
      if (!(key in STRINGS.fr)) continue;
      if (attr === 'data-t') el.textContent = tr(key);
      else el.setAttribute(attr.slice('data-t-'.length), tr(key));
    }
  }
  document.title = `${tr('title')} — Montfort Communauté`;
}

/** The half of a server message "français / English" in the current language. */
export function serverText(message: string): string {
  const halves = message.split(' / ');
  return halves.length === 2 ? (lang === 'fr' ? halves[0]! : halves[1]!) : message;
}
