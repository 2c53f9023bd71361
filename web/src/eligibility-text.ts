// The strings of the search box and the answer panel in French and English, the status labels and
// colours, and the English rendering of the answer (the API's summary is written in French).
import type { Lang } from './api.ts';
import type { AnswerStatus, EligibilityAnswer } from './eligibility-api.ts';
import { getLang } from './i18n.ts';

const STRINGS = {
  fr: {
    searchLabel: 'Rechercher une adresse, une zone d’activité, un lot ou une parcelle',
    searchPlaceholder: 'Adresse, zone, lot ou parcelle…',
    suggestions: 'Suggestions',
    resultsCount: '{n} suggestions : flèches haut et bas pour choisir, Entrée pour valider',
    resultOne: '1 suggestion : Entrée pour valider',
    noResult: 'Aucun résultat',
    searchError: 'La recherche a échoué',
    kind_address: 'Adresse', kind_business_zone: 'Zone d’activité', kind_lot: 'Lot', kind_parcel: 'Parcelle',
    answerRegion: 'Réponse : la fibre à cet endroit',
    close: 'Fermer la réponse',
    loadingAnswer: 'Recherche de la réponse…',
    answerError: 'Impossible d’obtenir la réponse : {message}',
    answerShown: 'Réponse : {status}. {summary}',
    fibre: 'Fibre :',
    phase: 'Phase', plannedStart: 'Début prévu', plannedEnd: 'Fin prévue', operator: 'Opérateur', zoneCode: 'Zone de déploiement',
    dataDate: 'Données opérateur du',
    zones: 'Zones de déploiement', share: '{p} % de la surface',
    premises: 'Locaux (données opérateur)',
    businessZone: 'Zone d’activité', lot: 'Lot {n}',
    thd: 'Label « Zone d’activité Très Haut Débit »',
    thdYes: 'atteint', thdNo: 'non atteint',
    thdDetail: '{covered} lots couverts sur {total} ({count} %), {area} % de la surface ; seuil : {threshold} %',
    thdNoLots: 'aucun lot enregistré',
    wifi: 'Wifi public à proximité', indoor: 'intérieur', outdoor: 'extérieur',
    sources: 'Sources', undated: 'non datée',
    permalink: 'Lien vers cette réponse', copyLink: 'Copier le lien', copied: 'Lien copié', print: 'Imprimer',
    mapSnapshot: 'Carte de l’emplacement',
    featuresHere: 'Sur la carte à cet endroit',
    printedOn: 'Édité le {date} depuis {url}. Informations indicatives, selon les données publiées à cette date.',
    status_deployed: 'Déployée', status_connectable: 'Raccordable', status_in_progress: 'En cours de déploiement',
    status_planned: 'Programmée', status_study: 'À l’étude', status_not_planned: 'Non programmée', status_unknown: 'Pas d’information',
    premise_target: 'cible', premise_signed: 'convention signée', premise_in_progress: 'en cours', premise_deployed: 'déployé',
    premise_connectable: 'raccordable', premise_abandoned: 'abandonné',
  },
  en: {
    searchLabel: 'Search for an address, a business zone, a lot or a parcel',
    searchPlaceholder: 'Address, zone, lot or parcel…',
    suggestions: 'Suggestions',
    resultsCount: '{n} suggestions: up and down arrows to choose, Enter to confirm',
    resultOne: '1 suggestion: Enter to confirm',
    noResult: 'No result',
    searchError: 'The search failed',
    kind_address: 'Address', kind_business_zone: 'Business zone', kind_lot: 'Lot', kind_parcel: 'Parcel',
    answerRegion: 'Answer: fibre at this place',
    close: 'Close the answer',
    loadingAnswer: 'Looking up the answer…',
    answerError: 'Could not get the answer: {message}',
    answerShown: 'Answer: {status}. {summary}',
    fibre: 'Fibre:',
    phase: 'Phase', plannedStart: 'Planned start', plannedEnd: 'Planned end', operator: 'Operator', zoneCode: 'Deployment zone',
    dataDate: 'Operator data of',
    zones: 'Deployment zones', share: '{p} % of the area',
    premises: 'Premises (operator data)',
    businessZone: 'Business zone', lot: 'Lot {n}',
    thd: '“Very high speed business zone” label',
    thdYes: 'granted', thdNo: 'not granted',
    thdDetail: '{covered} of {total} lots covered ({count} %), {area} % of the area; threshold: {threshold} %',
    thdNoLots: 'no lot recorded',
    wifi: 'Public wifi nearby', indoor: 'indoor', outdoor: 'outdoor',
    sources: 'Sources', undated: 'undated',
    permalink: 'Link to this answer', copyLink: 'Copy link', copied: 'Link copied', print: 'Print',
    mapSnapshot: 'Map of the place',
    featuresHere: 'On the map at this place',
    printedOn: 'Printed on {date} from {url}. For information only, from the data published on that date.',
    status_deployed: 'Deployed', status_connectable: 'Connectable', status_in_progress: 'Deployment in progress',
    status_planned: 'Planned', status_study: 'Under study', status_not_planned: 'Not planned', status_unknown: 'No information',
    premise_target: 'target', premise_signed: 'agreement signed', premise_in_progress: 'in progress', premise_deployed: 'deployed',
    premise_connectable: 'connectable', premise_abandoned: 'abandoned',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type AnswerStringKey = keyof (typeof STRINGS)['fr'];

/** One string in the current language, `{name}` placeholders filled. */
export function tx(key: AnswerStringKey, params: Record<string, string | number> = {}): string {
  const text: string = STRINGS[getLang()][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The status in words. */
export function statusLabel(status: AnswerStatus): string {
  return tx(`status_${status}` as AnswerStringKey);
}

/** A premise's status (the operators' building vocabulary) in words. */
export function premiseStatusLabel(status: string): string {
  const key = `premise_${status}`;
  return key in STRINGS.fr ? tx(key as AnswerStringKey) : status;
}

/** Dates as the reader writes them: 30/09/2026 in French, 30 Sep 2026 in English. */
export function formatDate(iso: string | null): string {
  if (!iso) return '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const date = new Date(`${iso}T00:00:00Z`);
  return getLang() === 'fr'
    ? new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC' }).format(date)
    : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Distances in metres below a kilometre, else in kilometres with one decimal. */
export function formatDistance(m: number): string {
  const locale = getLang() === 'fr' ? 'fr-FR' : 'en-GB';
  return m < 1000 ? `${m} m` : `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(m / 1000)} km`;
}

const year = (iso: string | null) => iso?.slice(0, 4) ?? null;

/** The answer in English, from its fields: what summary_fr says, for readers of the English interface. */
export function englishSummary(answer: EligibilityAnswer): string {
  if (!answer.inside_territory) {
    return 'This place is outside the territory of Montfort Communauté: we have no fibre data here. ' +
      'See Arcep’s national map (maconnexioninternet.arcep.fr).';
  }
  const { fibre } = answer;
  const where = { point: 'at this place', address: 'at this address', parcel: 'on this parcel', lot: 'on this lot' }[answer.location.source];
  const data = fibre.data_date ? ` (operator data of ${formatDate(fibre.data_date)})` : '';
  const [start, end] = [year(fibre.planned_start), year(fibre.planned_end)];
  const phase = fibre.phase !== null ? ` in phase ${fibre.phase}` : '';
  const when = start && end ? (start === end ? `, in ${start}` : `, between ${start} and ${end}`) : end ? `, by ${end}` : '';
  const sentences: Record<AnswerStatus, string> = {
    connectable: `Fibre is available ${where}${data}. The premises can be connected: order from the internet provider of your choice.`,
    deployed: fibre.premises.length > 0
      ? `Fibre is available ${where}${data}. The network reaches the premises; have a provider confirm the connection.`
      : `Fibre is deployed in this area${data}. Check with an internet provider that your premises can be connected.`,
    in_progress: `Fibre deployment is under way ${where}${phase}${fibre.planned_end ? `, due to end in ${year(fibre.planned_end)}` : ''}${data}.`,
    planned: `Fibre is not available ${where} yet. Deployment planned${phase}${when}${data}.`,
    study: `Fibre is not available ${where} yet: its deployment is under study, with no schedule yet${data}.`,
    not_planned: `Fibre is not available ${where} and its deployment is not planned to date${data}.`,
    unknown: `We have no information about fibre deployment ${where}.`,
  };
  const nearest = answer.wifi[0];
  const wifi = nearest ? ` Nearest public wifi: ${nearest.name}, ${formatDistance(nearest.distance_m)} away.` : '';
  return sentences[fibre.status] + wifi;
}

/** The summary in the current language. */
export function summaryOf(answer: EligibilityAnswer): string {
  return getLang() === 'fr' ? answer.summary_fr : englishSummary(answer);
}
