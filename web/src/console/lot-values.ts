// How the lots panel writes a lot's values for people (code labels, oui/non, grouped SIRET) and
// reads them back from form inputs in the types the API expects.
import { pick } from '../i18n.ts';
import { lt } from './lots-strings.ts';
import type { StaffField } from './lot-types.ts';

/** A value as a reader sees it, in the current language. */
export function formatValue(field: StaffField | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return lt('unset');
  if (typeof value === 'boolean') return lt(value ? 'yes' : 'no');
  const code = field?.values?.find((v) => v.value === value);
  if (code) return pick(code.label);
  if (field?.format === 'siret' && typeof value === 'string' && /^\d{14}$/.test(value)) {
    return `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6, 9)} ${value.slice(9)}`;
  }
  if (typeof value === 'object') return lt('geometry');
  return String(value);
}

/** Fields a person edits in the form: not computed, not the zone (a lot never moves zone). */
export function editableFields(fields: readonly StaffField[]): StaffField[] {
  return fields.filter((f) => !f.computed && f.name !== 'zone_id' && !f.internal);
}

/** The value an input holds, typed for the API (empty → null). */
export function readInput(field: StaffField, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): unknown {
  if (field.type === 'boolean') return (input as HTMLInputElement).checked;
  const raw = input.value.trim();
  if (raw === '') return null;
  if (field.type === 'number' || field.type === 'integer') return Number(raw);
  if (field.format === 'siret') return raw.replace(/\s+/g, '');
  return raw;
}

/** Puts a stored value into an input. */
export function writeInput(field: StaffField, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: unknown): void {
  if (field.type === 'boolean') (input as HTMLInputElement).checked = value === true;
  else input.value = value === null || value === undefined ? '' : String(value);
}
