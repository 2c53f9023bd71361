// Readers of property values: the strict RFC 3339 forms the API accepts, and the lenient forms
// (French dates and decimals, yes/no words) that deliveries to the import arrive in.

/** A source value that cannot become the column's type, and why. */
export class Invalid {
  constructor(readonly reason: string) {}
}

/** Why `text` cannot be stored as PostgreSQL text, if it cannot: text holds no NUL character (byte 0). */
export function nulProblem(text: string): string | undefined {
  return text.includes('\u0000') ? 'contains a NUL character (byte 0), which a text value cannot hold' : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * True when year, month (1-12) and day name a day of the (proleptic) Gregorian calendar. Counted,
 * not asked of a Date: it runs once per date of every imported row.
 */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** True for an RFC 3339 full-date (`YYYY-MM-DD`) of a real day. Read without a regular expression:
 *  it runs once per date of every imported row (parseDate). */
export function isIsoDate(raw: string): boolean {
  if (raw.length !== 10 || raw[4] !== '-' || raw[7] !== '-') return false;
  const y = digits(raw, 0, 4);
  const m = digits(raw, 5, 7);
  const d = digits(raw, 8, 10);
  return y >= 0 && m >= 0 && d >= 0 && isRealDate(y, m, d);
}

/** An RFC 3339 date-time as a UTC ISO string; undefined when not one. */
export function readIsoDateTime(raw: string): string | undefined {
  const m = ISO_DATE_TIME.exec(raw);
  // Date.parse refuses minute or second 60 itself, but reads 24:00 and 30 February as the next day.
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[4]) > 23) return undefined;
  const time = Date.parse(raw.toUpperCase());
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Reads a date as YYYY-MM-DD: ISO (with or without time), YYYYMMDD or French DD/MM/YYYY. */
export function parseDate(raw: unknown): string | undefined {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw.toISOString().slice(0, 10);
  // The form readers give (a .dbf's D field, GeoPackage, ISO text).
  if (typeof raw === 'string' && isIsoDate(raw)) return raw;
  const s = String(raw).trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(s);
  let ymd: [number, number, number] | undefined;
  if (m) ymd = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s))) ymd = [Number(m[3]), Number(m[2]), Number(m[1])];
  if (!ymd || !isRealDate(...ymd)) return undefined;
  return `${String(ymd[0]).padStart(4, '0')}-${String(ymd[1]).padStart(2, '0')}-${String(ymd[2]).padStart(2, '0')}`;
}

/** The number the decimal digits of `s` from `start` to `end` write; -1 when one is not a digit. */
function digits(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Reads a finite number, from a number or from text with a decimal point or comma. */
export function parseNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  // French files write decimal commas and sometimes spaces between thousands.
  const s = String(raw).trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const YES = new Set(['true', 't', '1', 'y', 'yes', 'o', 'oui', 'vrai']);
const NO = new Set(['false', 'f', '0', 'n', 'no', 'non', 'faux']);

/** Reads a yes/no value in English or French (`oui`, `vrai`, `0`…); undefined when not one. */
export function parseYesNo(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  return YES.has(s) ? true : NO.has(s) ? false : undefined;
}
