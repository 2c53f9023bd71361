// The business rules of a lot, as pure functions: the status workflow, the option or reservation
// term, SIRET, NAF and occupant (CNIG establishment) checks, and the tolerances of the geometry
// rules (applied in PostGIS).
import { RuleError } from '../rule-error.ts';
import { NAF_SUB_CLASSES } from './naf-codes.ts';
import { LEGAL_CATEGORY } from '../zae/insee-headcount.ts';

export type LotStatus = 'available' | 'optioned' | 'reserved' | 'sold' | 'occupied' | 'unavailable';

/**
 * Where each status may go. An option or a reservation may lapse back to available; a sale is
 * final (sold → occupied once the business moves in); staff may withdraw any lot (unavailable) and
 * put it back on the market (available).
 */
export const STATUS_TRANSITIONS: Readonly<Record<LotStatus, readonly LotStatus[]>> = {
  available: ['optioned', 'reserved', 'sold', 'unavailable'],
  optioned: ['available', 'reserved', 'sold', 'unavailable'],
  reserved: ['available', 'sold', 'unavailable'],
  sold: ['occupied', 'unavailable'],
  occupied: ['unavailable'],
  unavailable: ['available'],
};

/** Statuses that hold a lot for a prospect until a term (option_expires_on). */
export const TERM_STATUSES: readonly LotStatus[] = ['optioned', 'reserved'];

/** Geodesic area (m²) a lot may lie outside its zone: digitising slivers along the boundary. */
export const LOT_OUTSIDE_TOLERANCE_M2 = 1;
/** Overlap with a sibling lot tolerated: at most 1 m², and at most 0.5 % of the smaller lot. */
export const LOT_OVERLAP_TOLERANCE_M2 = 1;
export const LOT_OVERLAP_TOLERANCE_SHARE = 0.005;

/** Throws a 422 on `status` unless `from → to` is an allowed transition (staying put is allowed). */
export function checkTransition(from: LotStatus, to: LotStatus): void {
  if (from === to || STATUS_TRANSITIONS[from]?.includes(to)) return;
  const allowed = STATUS_TRANSITIONS[from]?.join(', ') || '—';
  throw new RuleError('status', `passage de « ${from} » à « ${to} » interdit (possibles : ${allowed}) / transition from ${from} to ${to} is not allowed (allowed: ${allowed})`);
}

/** True when the SIRET has 14 digits and a valid check digit (Luhn; La Poste's sum rule). */
export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  // La Poste's establishments share SIREN 356000000 and are numbered past what Luhn allows; INSEE
  // checks them by the plain sum of their digits being a multiple of 5.
  if (siret.startsWith('356000000') && siret !== '35600000000048') {
    return [...siret].reduce((sum, d) => sum + Number(d), 0) % 5 === 0;
  }
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    // From the right, every second digit is doubled: with 14 digits, those at even positions.
    const d = Number(siret[i]) * (i % 2 === 0 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

/** Throws a 422 on `occupant_siret` unless the SIRET is valid. */
export function checkSiret(siret: string): void {
  if (!/^\d{14}$/.test(siret)) throw new RuleError('occupant_siret', `le SIRET doit compter 14 chiffres / a SIRET has 14 digits, got "${siret.slice(0, 20)}"`);
  if (!isValidSiret(siret)) throw new RuleError('occupant_siret', `SIRET ${siret} : clé de contrôle invalide / wrong check digit`);
}

/** Throws a 422 on `naf_code` unless it is a NAF rév. 2 sub-class. */
export function checkNafCode(code: string): void {
  if (!NAF_SUB_CLASSES.has(code)) {
    throw new RuleError('naf_code', `« ${code.slice(0, 20)} » n'est pas un code NAF rév. 2 (ex. 62.01Z) / not a NAF rev. 2 code (e.g. 62.01Z)`);
  }
}

/** Throws a 422 on `etab_nat_juridique` unless it is an INSEE legal category of the third level. */
export function checkLegalCategory(category: string): void {
  if (!LEGAL_CATEGORY.test(category)) {
    throw new RuleError('etab_nat_juridique', `« ${category.slice(0, 20)} » n'est pas une catégorie juridique INSEE à 4 chiffres (ex. 5710) / not a 4-digit INSEE legal category (e.g. 5710)`);
  }
}

/** The fields of a lot the rules read. */
export interface LotRuleFields {
  status: LotStatus;
  price_per_m2?: number | null;
  option_expires_on: string | null;
  occupant_siret: string | null;
  naf_code: string | null;
  etab_nat_juridique?: string | null;
  etab_creation_date?: string | null;
}

/**
 * Checks a lot as a change would leave it, and completes the change: a status without a term
 * drops the term. `changes` are the fields being set (already of the right types); `before` is
 * the stored lot (absent for a new one); `today` is `YYYY-MM-DD`. Returns the change to store.
 */
export function applyLotRules(before: LotRuleFields | undefined, changes: Record<string, unknown>, today: string): Record<string, unknown> {
  const result = { ...changes };
  const after = { ...before, ...changes } as LotRuleFields;
  if (before && 'status' in changes) checkTransition(before.status, after.status);
  const holds = TERM_STATUSES.includes(after.status);
  if (holds) {
    if (!after.option_expires_on) {
      throw new RuleError('option_expires_on', `une échéance (option_expires_on) est requise pour le statut ${after.status} / an expiry date is required when ${after.status}`);
    }
    if ('option_expires_on' in changes && after.option_expires_on < today) {
      throw new RuleError('option_expires_on', `l'échéance ${after.option_expires_on} est passée / the expiry date is in the past`);
    }
  } else if ('option_expires_on' in changes && changes.option_expires_on !== null) {
    throw new RuleError('option_expires_on', `une échéance ne vaut que pour un lot sous option ou réservé / an expiry date only applies to optioned or reserved lots`);
  } else if (before?.option_expires_on) {
    result.option_expires_on = null;
  }
  if ('price_per_m2' in changes && after.price_per_m2 != null && !(after.price_per_m2 >= 0)) {
    throw new RuleError('price_per_m2', `le prix au m² ne peut être négatif / the price per m² cannot be negative, got ${after.price_per_m2}`);
  }
  if ('occupant_siret' in changes && after.occupant_siret !== null) checkSiret(after.occupant_siret);
  if ('naf_code' in changes && after.naf_code !== null) checkNafCode(after.naf_code);
  if ('etab_nat_juridique' in changes && after.etab_nat_juridique != null) checkLegalCategory(after.etab_nat_juridique);
  if ('etab_creation_date' in changes && after.etab_creation_date != null && after.etab_creation_date > today) {
    throw new RuleError('etab_creation_date', `la date de création ${after.etab_creation_date} est à venir / the founding date is in the future`);
  }
  return result;
}

/** Today's date in Montfort (Europe/Paris), as YYYY-MM-DD: option terms are dated there. */
export const parisToday = (): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
