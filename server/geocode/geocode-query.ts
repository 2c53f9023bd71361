// Turns a free-text search ("12bis r. de la Gare, Bédée", "ZA de la Nouette lot 12", "Bédée AB 123")
// into the bound values of the search SQL; pure, so every rule here has a unit test.
import { badRequest } from '../http/errors.ts';

/** Longest query accepted: longer text is not an address, and would only cost trigram work. */
export const MAX_QUERY_LENGTH = 200;
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 20;

/** A cadastral reference: the 14-character id, or commune + section + number (prefix optional). */
export type ParcelRef =
  | { readonly id: string }
  | { readonly commune: string; readonly prefix: string | null; readonly section: string; readonly numero: string };

export interface GeocodeQuery {
  /** Lower case, no accents or punctuation, abbreviations expanded: compared by trigram similarity. */
  readonly text: string;
  /** tsquery for the strict pass: every significant token ('' when none). */
  readonly strict: string;
  /** The same with the last word as a prefix, tried when the strict pass finds nothing ('' when no
   *  different: a complete last word is matched exactly, which spares scanning every word it begins). */
  readonly strictPrefix: string;
  /** Words the tolerant passes correct against the vocabulary (≥ 3 letters, no stop words). */
  readonly words: readonly string[];
  /** Every number in the query; the first tolerant pass still requires them. */
  readonly numbers: readonly string[];
  /** The house number (first number of at most 4 digits) and its repetition index (bis, ter, a …). */
  readonly houseNumber: number | null;
  readonly rep: string | null;
  /** "… lot 12": the lot number, and the rest of the query naming its zone ('' when none). */
  readonly lot: { readonly number: string; readonly zoneText: string } | null;
  /** Text compared with business zone names ('' when the query has nothing but generic words). */
  readonly zoneText: string;
  readonly parcel: ParcelRef | null;
}

const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th' };

/** Lower case, accents and ligatures removed, anything but letters and digits turned into single
 *  spaces, and digits split from letters ("12bis" → "12 bis"): the same text the database searches. */
export function normalizeSearchText(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[œæßøłđðþ]/g, (c) => LIGATURES[c]!)
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/([0-9])(?=[a-z])/g, '$1 ')
    .replace(/([a-z])(?=[0-9])/g, '$1 ')
    .trim();
}

/** Usual abbreviations of street types and titles in French addresses. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  r: 'rue', av: 'avenue', ave: 'avenue', bd: 'boulevard', bld: 'boulevard', bvd: 'boulevard', pl: 'place',
  imp: 'impasse', ch: 'chemin', chem: 'chemin', rte: 'route', all: 'allee', sq: 'square', res: 'residence',
  fg: 'faubourg', st: 'saint', ste: 'sainte', gal: 'general', gen: 'general', mal: 'marechal', pdt: 'president',
};

/** Words that carry no meaning in an address and match almost every one of them. */
const STOP_WORDS = new Set(['a', 'au', 'aux', 'd', 'de', 'des', 'du', 'en', 'et', 'l', 'la', 'le', 'les', 'sous', 'sur']);

/**
 * Street types: nearly every address has one, so requiring them makes the full-text index walk huge
 * posting lists for no selectivity. They are left to the ranking, which still tells "avenue" from "rue".
 */
const STREET_TYPES = new Set([
  'allee', 'avenue', 'boulevard', 'chemin', 'cours', 'faubourg', 'hameau', 'impasse', 'lotissement', 'passage',
  'place', 'quai', 'residence', 'route', 'rue', 'sentier', 'square',
]);

/** BAN repetition indexes written as words; single letters right after the number count too. */
const REP_WORDS = new Set(['bis', 'ter', 'quater', 'quinquies']);

/** Words that say "business zone" without naming one. */
const GENERIC_ZONE_WORDS = new Set(['za', 'zi', 'zac', 'zae', 'zone', 'zones', 'parc', 'activite', 'activites', 'artisanale', 'industrielle', 'commerciale']);

/** Words left out when a query is compared with business zone names, on both sides. */
export const IGNORED_ZONE_WORDS: readonly string[] = [...STOP_WORDS, ...GENERIC_ZONE_WORDS];

const isNumber = (token: string): boolean => /^[0-9]+$/.test(token);

/**
 * A French elision typed without its apostrophe glues the article to the next word ("pas dane" for
 * Pas-d'Âne, "lhorloge" for l'Horloge), which no vocabulary word resembles: the word without its
 * d/l is corrected too.
 */
const GLUED_ELISION = /^[dl][aeiouyh][a-z]{2,}$/;
const withElisionSplit = (word: string): string[] => (GLUED_ELISION.test(word) ? [word, word.slice(1)] : [word]);

/** Reads `q` (400 when empty, absurd or too long) into what the search SQL binds. */
export function parseGeocodeQuery(raw: string | undefined): GeocodeQuery {
  if (raw === undefined || raw.trim() === '') throw badRequest('q is required: the address, zone, lot or parcel to find');
  if (raw.length > MAX_QUERY_LENGTH) throw badRequest(`q is ${raw.length} characters long; at most ${MAX_QUERY_LENGTH} are accepted`);
  if (!/[\p{L}\p{N}]/u.test(raw)) throw badRequest('q must contain at least one letter or digit');
  const plain = normalizeSearchText(raw).split(' ').filter(Boolean);
  const parcel = parseParcelRef(raw, plain);
  const tokens = plain.map((t) => ABBREVIATIONS[t] ?? t);

  const houseIndex = tokens.findIndex((t) => isNumber(t) && t.length <= 4);
  const houseNumber = houseIndex >= 0 ? Number(tokens[houseIndex]) : null;
  const next = houseIndex >= 0 ? tokens[houseIndex + 1] : undefined;
  const rep = next !== undefined && (REP_WORDS.has(next) || (/^[a-z]$/.test(next) && houseIndex + 2 < tokens.length)) ? next : null;

  // A lone letter is kept only as a repetition index, a street type only when nothing else names the
  // street. The last word may be unfinished (suggestions come while typing) so it may match as a
  // prefix; numbers never do: "1:*" would match a third of them.
  const meaningful = tokens.filter((t) => (!STOP_WORDS.has(t) && (t.length > 1 || isNumber(t))) || t === rep);
  const named = meaningful.filter((t) => !STREET_TYPES.has(t));
  const significant = named.some((t) => !isNumber(t) && t !== rep) ? named : meaningful;
  const strict = significant.join(' & ');
  const last = significant[significant.length - 1];
  const strictPrefix = last !== undefined && !isNumber(last) && last.length > 1 ? `${strict}:*` : '';
  const words = unique(significant.filter((t) => t.length >= 3 && !isNumber(t) && !REP_WORDS.has(t)).flatMap(withElisionSplit));
  const numbers = unique(tokens.filter(isNumber));

  const lot = parseLot(tokens);
  const zoneSource = lot ? lot.zoneText.split(' ') : tokens;
  const zoneText = zoneSource.filter((t) => t && !STOP_WORDS.has(t) && !GENERIC_ZONE_WORDS.has(t)).join(' ');
  return { text: tokens.join(' '), strict, strictPrefix, words, numbers, houseNumber, rep, lot, zoneText, parcel };
}

/** `limit`: 1 to 20, default 10; anything else is a 400. */
export function parseGeocodeLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^[0-9]{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}, got "${raw.slice(0, 40)}"`);
  }
  return Number(raw);
}

const unique = (list: string[]): string[] => [...new Set(list)];

/** "lot 12", "lot n° 12", "lots 12": the number, and the other words (which name the zone). */
function parseLot(tokens: readonly string[]): GeocodeQuery['lot'] {
  const at = tokens.findIndex((t) => t === 'lot' || t === 'lots');
  if (at < 0) return null;
  let k = at + 1;
  if (tokens[k] === 'n' || tokens[k] === 'no' || tokens[k] === 'numero') k++;
  const number = tokens[k];
  if (number === undefined || !isNumber(number)) return null;
  const rest = [...tokens.slice(0, at), ...tokens.slice(k + 1)];
  return { number: String(Number(number)), zoneText: rest.join(' ') };
}

/**
 * A cadastral reference, before abbreviations are expanded ("CH" is a section, not "chemin"):
 * the 14-character id, "<commune> [prefix] <section> <number>" or "<section> <number> [commune]".
 * Sections are one or two letters, or a zero and a letter ("0A"), as the cadastre writes them.
 */
export function parseParcelRef(raw: string, tokens: readonly string[]): ParcelRef | null {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  if (/^[0-9][0-9AB][0-9]{3}[0-9]{3}[0-9A-Z]{2}[0-9]{4}$/.test(compact)) return { id: compact };
  const reference = (section: string[], numero: string, commune: string[], prefix: string | null): ParcelRef | null => {
    const s = section.join('');
    if (!/^([a-z]{1,2}|0[a-z])$/.test(s) || !/^[0-9]{1,4}$/.test(numero) || Number(numero) === 0) return null;
    return { commune: commune.join(' '), prefix, section: s.toUpperCase().padStart(2, '0'), numero: numero.padStart(4, '0') };
  };
  const n = tokens.length;
  if (n < 2 || !/^[0-9]{1,4}$/.test(tokens[n - 1]!)) {
    // "AB 123 Bédée": section and number first.
    const numeroAt = tokens.findIndex((t) => /^[0-9]{1,4}$/.test(t));
    if (numeroAt < 1 || numeroAt > 2) return null;
    return reference(tokens.slice(0, numeroAt), tokens[numeroAt]!, tokens.slice(numeroAt + 1), null);
  }
  const numero = tokens[n - 1]!;
  for (const sectionLength of [2, 1]) {
    const section = tokens.slice(n - 1 - sectionLength, n - 1);
    if (section.length !== sectionLength) continue;
    if (sectionLength === 2 && section[0] !== '0') continue;
    let commune = tokens.slice(0, n - 1 - sectionLength);
    let prefix: string | null = null;
    const last = commune[commune.length - 1];
    if (last && /^[0-9]{3}$/.test(last) && commune.length > 1) {
      prefix = last;
      commune = commune.slice(0, -1);
    }
    const ref = reference(section, numero, commune, prefix);
    if (ref) return ref;
  }
  return null;
}
