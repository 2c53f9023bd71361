// Bounded parsers for what a reporter sends (web form or Open311 POST): each says what was expected,
// in French and English, and names the field at fault so the form can point at it.
import { ClientError } from '../http/errors.ts';

/** Longest description kept (Open311's own bound). */
export const MAX_DESCRIPTION = 4000;
const MAX_NAME = 120;
const MAX_EMAIL = 254;
const MAX_PHONE = 40;
const MAX_ADDRESS = 300;
// A deliberately plain check: one @, a dot in the domain, no spaces; the mail server has the last word.
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

export interface ReportInput {
  serviceCode: string;
  lon: number;
  lat: number;
  description: string;
  addressString: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** A 422 naming the field at fault. */
export function invalid(field: string, message: string): ClientError {
  return new ClientError(422, 'UnprocessableEntity', message, { field });
}

/** One form value as text: the first when repeated, undefined when absent or blank. */
export function textField(fields: Record<string, unknown>, name: string): string | undefined {
  const raw = fields[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(name, `${name} : texte attendu / text expected`);
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

function bounded(fields: Record<string, unknown>, name: string, max: number): string | null {
  const value = textField(fields, name);
  if (value === undefined) return null;
  if (value.length > max) throw invalid(name, `${name} : ${max} caractères au plus / at most ${max} characters`);
  // Control characters other than line breaks and tabs have no place in a report.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) throw invalid(name, `${name} : caractères de contrôle refusés / control characters refused`);
  return value;
}

function coordinate(fields: Record<string, unknown>, names: readonly string[], min: number, max: number): number | undefined {
  const name = names.find((n) => fields[n] !== undefined && fields[n] !== '');
  if (!name) return undefined;
  const text = textField(fields, name);
  const value = Number(text);
  if (text === undefined || text.length > 32 || !/^-?\d{1,3}(\.\d+)?$/.test(text) || value < min || value > max) {
    throw invalid(name, `${name} : nombre décimal entre ${min} et ${max} attendu / decimal number from ${min} to ${max} expected`);
  }
  return value;
}

/** Reads a report from form fields; `serviceCodes` is the layer's category code list. Field names
 *  follow Open311 (`lat`, `long`, `first_name`…), with `lon` and `name` accepted for the web form. */
export function parseReportInput(fields: Record<string, unknown>, serviceCodes: readonly string[]): ReportInput {
  const serviceCode = textField(fields, 'service_code');
  if (!serviceCode || !serviceCodes.includes(serviceCode)) {
    throw invalid('service_code', `service_code : une catégorie parmi / one category of ${serviceCodes.join(', ')}`);
  }
  const lat = coordinate(fields, ['lat'], -90, 90);
  const lon = coordinate(fields, ['long', 'lon'], -180, 180);
  if (lat === undefined || lon === undefined) {
    throw invalid('lat', 'lat et long : l’emplacement de l’incident est requis / lat and long: the incident’s location is required');
  }
  const description = bounded(fields, 'description', MAX_DESCRIPTION);
  if (!description || description.length < 5) {
    throw invalid('description', 'description : décrivez l’incident (5 caractères au moins) / describe the incident (at least 5 characters)');
  }
  const joined = [bounded(fields, 'first_name', MAX_NAME), bounded(fields, 'last_name', MAX_NAME)].filter(Boolean).join(' ');
  const name = bounded(fields, 'name', MAX_NAME) ?? (joined || null);
  const email = bounded(fields, 'email', MAX_EMAIL);
  if (email !== null && !EMAIL.test(email)) throw invalid('email', 'email : adresse de courriel invalide / invalid e-mail address');
  const phone = bounded(fields, 'phone', MAX_PHONE);
  if (phone !== null && !/^[+0-9 ().-]{4,40}$/.test(phone)) throw invalid('phone', 'phone : numéro de téléphone invalide / invalid phone number');
  return { serviceCode, lon, lat, description, addressString: bounded(fields, 'address_string', MAX_ADDRESS), name, email, phone };
}

/** Contact details of a "me too" follower. */
export function parseFollower(fields: Record<string, unknown>): { name: string | null; email: string | null } {
  const email = bounded(fields, 'email', MAX_EMAIL);
  if (email !== null && !EMAIL.test(email)) throw invalid('email', 'email : adresse de courriel invalide / invalid e-mail address');
  return { name: bounded(fields, 'name', MAX_NAME), email };
}

/** Public answer or internal note typed by staff. */
export function parseStaffText(value: unknown, field: string, optional: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (optional) return null;
    throw invalid(field, `${field} : texte requis / text required`);
  }
  if (typeof value !== 'string' || value.trim().length > MAX_DESCRIPTION) {
    throw invalid(field, `${field} : texte de ${MAX_DESCRIPTION} caractères au plus / text of at most ${MAX_DESCRIPTION} characters`);
  }
  return value.trim() || null;
}
