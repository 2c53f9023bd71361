// Turns the eligibility row into the public answer: the French summary a business owner reads, and
// the sources with their dates (operators' data lags the field, so the date is part of the answer).
import type { LayerRegistry } from '../../core/layers/registry.ts';
import type { EligibilityRow, FibreAnswer, LocationKind } from './eligibility-sql.ts';

export interface EligibilityAnswer {
  location: { lon: number; lat: number; source: LocationKind; label: string | null };
  inside_territory: boolean;
  fibre: FibreAnswer;
  business_zone: EligibilityRow['business_zone'];
  lot: EligibilityRow['lot'];
  wifi: EligibilityRow['wifi'];
  summary_fr: string;
  sources: { name: string; date: string | null }[];
}

export interface AnswerContext {
  layers: LayerRegistry;
  /** Name of the territory, for answers outside it. */
  territory: string;
}

/** The territory outline's own source (reference/territory/SOURCE.md). */
export const TERRITORY_SOURCE = { name: 'Limites communales : IGN Admin Express (COG 2018)', date: '2018' };

const WHERE: Record<LocationKind, string> = {
  point: 'à cet endroit', address: 'à cette adresse', parcel: 'sur cette parcelle', lot: 'sur ce lot',
};
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** "2026-09-30" → "30/09/2026". */
export function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

const monthYear = (iso: string): string => `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
const percent = (share: number): string => `${Math.round(share * 100)} %`;
const distance = (m: number): string =>
  m < 1000 ? `${m} m` : `${(m / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;

/** "a", "a et b", "a, b et c". */
function list(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} et ${items[items.length - 1]}`;
}

/** The French label of a code-list value, from the layer description (the value itself if unknown). */
function codeLabel(ctx: AnswerContext, layerId: string, property: string, value: string): string {
  const code = ctx.layers.get(layerId)?.properties.find((p) => p.name === property)?.values?.find((v) => v.value === value);
  return code ? code.label.fr : value;
}

/** "(données opérateur du 30/09/2026)" from the premise date when a premise answered, else the zone's. */
function operatorDate(row: EligibilityRow): string {
  const date = row.fibre.premises.length > 0 ? row.premises_date ?? row.fibre.data_date : row.fibre.data_date;
  return date ? `données opérateur du ${frenchDate(date)}` : 'données opérateur';
}

/** "Déploiement prévu en phase 2, entre 2025 et 2026." */
function plannedSentence(fibre: FibreAnswer): string {
  const start = fibre.planned_start?.slice(0, 4);
  const end = fibre.planned_end?.slice(0, 4);
  const when = start && end ? (start === end ? `en ${start}` : `entre ${start} et ${end}`) : end ? `d'ici ${end}` : start ? `à partir de ${start}` : '';
  const phase = fibre.phase !== null ? ` en phase ${fibre.phase}` : '';
  return `Déploiement prévu${phase}${when ? `, ${when}` : ''}.`;
}

/** The fibre sentence(s) for one status. */
function fibreSentences(row: EligibilityRow, source: LocationKind): string[] {
  const { fibre } = row;
  const where = WHERE[source];
  const date = operatorDate(row);
  const byPremise = fibre.premises.length > 0;
  switch (fibre.status) {
    case 'connectable':
      return [`La fibre est disponible ${where} (${date}).`,
        `${fibre.premises.length > 1 ? 'Au moins un local est raccordable' : 'Le local est raccordable'} : vous pouvez souscrire une offre auprès du fournisseur d'accès de votre choix.`];
    case 'deployed':
      return byPremise
        ? [`La fibre est disponible ${where} (${date}).`,
          'Le réseau est déployé jusqu\'au local ; faites confirmer le raccordement par un fournisseur d\'accès.']
        : [`La fibre est déployée dans ce secteur (${date}).`,
          'Vérifiez auprès d\'un fournisseur d\'accès que votre local est raccordable.'];
    case 'in_progress': {
      const details = [fibre.phase !== null ? `phase ${fibre.phase}` : '', fibre.planned_end ? `fin prévue en ${monthYear(fibre.planned_end)}` : '']
        .filter(Boolean).join(', ');
      return [`Le déploiement de la fibre est en cours ${where}${details ? ` (${details})` : ''}.`, `Source : ${date}.`];
    }
    case 'planned':
      return [`La fibre n'est pas encore disponible ${where}.`, plannedSentence(fibre), `Source : ${date}.`];
    case 'study':
      return [`La fibre n'est pas encore disponible ${where} : son déploiement est à l'étude, sans calendrier pour l'instant (${date}).`];
    case 'not_planned':
      return [`La fibre n'est pas disponible ${where} et son déploiement n'est pas programmé à ce jour (${date}).`];
    default:
      return [`Nous n'avons pas d'information sur le déploiement de la fibre ${where}.`];
  }
}

/** Parcels and lots across several zones, and points on a zone border, say so. */
function zonesSentence(ctx: AnswerContext, row: EligibilityRow, source: LocationKind): string | null {
  const zones = row.fibre.zones;
  if (zones.length < 2) return null;
  const name = (z: FibreAnswer['zones'][number]) =>
    `zone « ${codeLabel(ctx, 'fibre_phases', 'status', z.status).toLowerCase()} » (${z.zone_code})`;
  if (source === 'point' || source === 'address') {
    const kept = row.fibre.premises.length === 0 ? ' ; la moins avancée est retenue' : '';
    return `Cet emplacement est en limite de ${zones.length} zones de déploiement (${list(zones.map(name))})${kept}.`;
  }
  const noun = source === 'parcel' ? 'Cette parcelle' : 'Ce lot';
  return `${noun} est à cheval sur ${zones.length} zones de déploiement : ${list(zones.map((z) => `${percent(z.share)} en ${name(z)}`))}.`;
}

function zoneSentence(ctx: AnswerContext, row: EligibilityRow): string | null {
  if (!row.business_zone) return null;
  const lot = row.lot ? `, lot ${row.lot.lot_number} (${codeLabel(ctx, 'zone_lots', 'status', row.lot.status).toLowerCase()})` : '';
  return `Zone d'activité : ${row.business_zone.name}${lot}.`;
}

function wifiSentence(ctx: AnswerContext, row: EligibilityRow): string | null {
  const nearest = row.wifi[0];
  if (!nearest) return null;
  const kind = codeLabel(ctx, 'wifi_hotspots', 'kind', nearest.kind).toLowerCase();
  return `Wifi public le plus proche : ${nearest.name} (${kind}), à ${distance(nearest.distance_m)}.`;
}

/** The summary a business owner reads first. */
export function summarize(ctx: AnswerContext, row: EligibilityRow, inside: boolean): string {
  const source = row.location.source;
  if (!inside) {
    const what = source === 'point' ? 'Ce point' : source === 'address' ? 'Cette adresse' : source === 'parcel' ? 'Cette parcelle' : 'Ce lot';
    return `${what} est en dehors du territoire de ${ctx.territory} : nous n'avons pas de données sur la fibre ici. ` +
      'Consultez la carte nationale de l\'Arcep (maconnexioninternet.arcep.fr).';
  }
  return [...fibreSentences(row, source), zonesSentence(ctx, row, source), zoneSentence(ctx, row), wifiSentence(ctx, row)]
    .filter((s): s is string => s !== null)
    .join(' ');
}

/** "Titre : source" of a layer, from its description. */
function layerSource(ctx: AnswerContext, layerId: string): string {
  const layer = ctx.layers.get(layerId);
  return layer ? `${layer.title.fr} : ${layer.source ?? ctx.territory}` : layerId;
}

/** The sources the answer rests on, each with the date of its data. */
export function answerSources(ctx: AnswerContext, row: EligibilityRow, inside: boolean): EligibilityAnswer['sources'] {
  if (!inside) return [TERRITORY_SOURCE];
  const dates = row.layer_dates ?? {};
  const sources: EligibilityAnswer['sources'] = [];
  const fibreLayer = ctx.layers.get('fibre_phases')?.title.fr ?? 'Déploiement de la fibre';
  const premisesLayer = ctx.layers.get('fibre_premises')?.title.fr ?? 'Locaux raccordables';
  if (row.fibre.zone_code) {
    sources.push({ name: `${fibreLayer} : données opérateur (${row.fibre.operator ?? 'opérateur'})`, date: row.fibre.data_date });
  }
  if (row.fibre.premises.length > 0) {
    sources.push({ name: `${premisesLayer} : données opérateur (${row.premises_operator ?? 'opérateur'})`, date: row.premises_date });
  }
  if (row.location.source === 'address') sources.push({ name: layerSource(ctx, 'addresses'), date: dates.addresses ?? null });
  if (row.location.source === 'parcel') sources.push({ name: layerSource(ctx, 'parcels'), date: dates.parcels ?? null });
  if (row.business_zone || row.lot) {
    sources.push({ name: layerSource(ctx, 'zone_lots'), date: [dates.zone_lots, dates.business_zones].filter(Boolean).sort().pop() ?? null });
  }
  if (row.wifi.length > 0) sources.push({ name: layerSource(ctx, 'wifi_hotspots'), date: dates.wifi_hotspots ?? null });
  return sources;
}

/** The public answer; outside the territory nothing but the location is asserted. */
export function buildAnswer(ctx: AnswerContext, row: EligibilityRow): EligibilityAnswer {
  const inside = row.commune !== null;
  const location = { ...row.location };
  if (location.source === 'point') {
    const at = `${location.lat.toFixed(5)}, ${location.lon.toFixed(5)}`;
    location.label = row.commune ? `${row.commune} (${at})` : `(${at})`;
  }
  const fibre: FibreAnswer = inside
    ? row.fibre
    : { status: 'unknown', phase: null, planned_start: null, planned_end: null, operator: null, zone_code: null, data_date: null, premises: [], zones: [] };
  return {
    location,
    inside_territory: inside,
    fibre,
    business_zone: inside ? row.business_zone : null,
    lot: inside ? row.lot : null,
    wifi: inside ? row.wifi : [],
    summary_fr: summarize(ctx, row, inside),
    sources: answerSources(ctx, row, inside),
  };
}
