// Turns source values (text, numbers, booleans, dates) into the types of a layer's columns.
import type { PropertyType } from '../core/layers/layer-def.ts';

/** A source value that cannot become the column's type, and why. */
export class Invalid {
  constructor(readonly reason: string) {}
}

// Values come back bare (no wrapper object per value): a million rows make this the hot path.
const ok = (value: unknown): unknown => value;
const fail = (reason: string): Invalid => new Invalid(reason);

/** True for values that mean "nothing": null, undefined, blank text. */
export const isBlank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
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
  return `${ymd[0]}-${String(ymd[1]).padStart(2, '0')}-${String(ymd[2]).padStart(2, '0')}`;
}

const TRUE = new Set(['true', 't', '1', 'y', 'yes', 'o', 'oui', 'vrai']);
const FALSE = new Set(['false', 'f', '0', 'n', 'no', 'non', 'faux']);

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  // French files write decimal commas and sometimes spaces between thousands.
  const s = String(raw).trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Converts one source value to a column type; blank values become null. `separator` splits text
 * into a text[] (BAN writes `cad_parcelles` as `350880000A0012|350880000A0013`).
 */
export function coerceValue(raw: unknown, type: PropertyType, separator = '|'): unknown {
  if (isBlank(raw)) return ok(null);
  switch (type) {
    case 'text':
      return ok(typeof raw === 'object' ? JSON.stringify(raw) : String(raw).trim());
    case 'integer': {
      const n = toNumber(raw);
      if (n === undefined || !Number.isInteger(n)) return fail(`"${String(raw)}" is not an integer`);
      if (Math.abs(n) > 2147483647) return fail(`${n} is out of the integer range`);
      return ok(n);
    }
    case 'number': {
      const n = toNumber(raw);
      return n === undefined ? fail(`"${String(raw)}" is not a number`) : ok(n);
    }
    case 'date': {
      const d = parseDate(raw);
      return d ? ok(d) : fail(`"${String(raw)}" is not a date (YYYY-MM-DD or DD/MM/YYYY)`);
    }
    case 'datetime': {
      const s = raw instanceof Date ? raw.toISOString() : String(raw).trim();
      const date = /^\d{4}-\d{2}-\d{2}/.test(s) ? new Date(s) : undefined;
      return date && !Number.isNaN(date.getTime()) ? ok(date.toISOString()) : fail(`"${s}" is not an ISO 8601 date-time`);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      const s = String(raw).trim().toLowerCase();
      return TRUE.has(s) ? ok(true) : FALSE.has(s) ? ok(false) : fail(`"${String(raw)}" is not a yes/no value`);
    }
    case 'text[]': {
      const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(separator);
      const kept = items.map((s) => s.trim()).filter((s) => s !== '');
      return ok(kept.length > 0 ? kept : null);
    }
  }
}
