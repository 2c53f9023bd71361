// Readers of property values: the strict RFC 3339 forms the API accepts, and the lenient forms
// (French dates and decimals, yes/no words) that deliveries to the import arrive in.

/** A source value that cannot become the column's type, and why. */
export class Invalid {
  constructor(readonly reason: string) {}
}

/** True when year, month (1-12) and day name a day of the Gregorian calendar. */
/** Why `text` cannot be stored as PostgreSQL text, if it cannot: text holds no NUL character (byte 0). */
export function nulProblem(text: string): string | undefined {
  return text.includes('\u0000') ? 'contains a NUL character (byte 0), which a text value cannot hold' : undefined;
}

export function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** True for an RFC 3339 full-date (`YYYY-MM-DD`) of a real day. */
export function isIsoDate(raw: string): boolean {
  const m = ISO_DATE.exec(raw);
  return !!m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
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
  const s = String(raw).trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(s);
  let ymd: [number, number, number] | undefined;
  if (m) ymd = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s))) ymd = [Number(m[3]), Number(m[2]), Number(m[1])];
  if (!ymd || !isRealDate(...ymd)) return undefined;
  return `${String(ymd[0]).padStart(4, '0')}-${String(ymd[1]).padStart(2, '0')}-${String(ymd[2]).padStart(2, '0')}`;
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
