// What our lot statuses mean in the CNIG inventory (terr_stade_comm, terr_etat_occup) and in the
// dashboards (vacant: still on the market; taken: sold or occupied). Every status of the zone_lots
// description must appear here: a status added there without its meaning stops start-up.
import type { LayerDef } from '../layers/layer-def.ts';

export interface LotStatusMeaning {
  /** TERRAIN-ECO terr_stade_comm. */
  readonly stadeComm: string;
  /** TERRAIN-ECO terr_etat_occup. */
  readonly etatOccup: string;
  /** On the market (available, or held by an option or reservation that may lapse): counts as vacant. */
  readonly vacant: boolean;
  /** Sold or occupied: counts as taken (occupancy). */
  readonly taken: boolean;
}

export const LOT_STATUS_MEANINGS: Readonly<Record<string, LotStatusMeaning>> = {
  available: { stadeComm: 'en vente', etatOccup: 'inoccupé', vacant: true, taken: false },
  optioned: { stadeComm: 'réservé par option de réservation', etatOccup: 'inoccupé', vacant: true, taken: false },
  reserved: { stadeComm: "réservé par une délibération de l'EPCI", etatOccup: 'inoccupé', vacant: true, taken: false },
  // Sold but not yet built on: the sale is done, nobody works there yet.
  sold: { stadeComm: 'vendu, commercialisation achevée', etatOccup: 'inoccupé', vacant: false, taken: true },
  occupied: { stadeComm: 'vendu, commercialisation achevée', etatOccup: 'occupé', vacant: false, taken: true },
  unavailable: { stadeComm: 'non commercialisable', etatOccup: 'inconnu', vacant: false, taken: false },
};

/** The meaning of each status of the lots' description; throws on a status without one. */
export function lotStatusMeanings(lots: LayerDef): ReadonlyMap<string, LotStatusMeaning> {
  const statuses = lots.properties.find((p) => p.name === 'status')?.values ?? [];
  return new Map(statuses.map(({ value }) => {
    const meaning = LOT_STATUS_MEANINGS[value];
    if (!meaning) throw new Error(`lot status "${value}" has no meaning in core/zae/zae-status.ts`);
    return [value, meaning] as const;
  }));
}

/** Statuses whose meaning satisfies `test`, for SQL `IN` lists built from the description. */
export function statusesWhere(lots: LayerDef, test: (m: LotStatusMeaning) => boolean): string[] {
  return [...lotStatusMeanings(lots)].filter(([, m]) => test(m)).map(([status]) => status);
}

/** site_vocadomi from a zone's kind (business_zones.kind). */
export const VOCATION_OF_KIND: Readonly<Record<string, string>> = {
  mixed: 'mixte', industrial: 'industrielle', craft: 'artisanale', commercial: 'commerciale', office: 'tertiaire',
};

/** terr_stade_amngt when staff have not set it: from whether the lot is serviced. */
export function stadeAmenagementFromServiced(serviced: boolean | null): string {
  return serviced === true ? 'viabilisé et aménagé' : serviced === false ? 'non aménagé, non viabilisé' : 'inconnu';
}
