// The public enquiry form's body: each field checked with its limit, every fault reported at once with
// the field it concerns (the form shows them beside the fields and keeps what was typed), in French and English.
import { ClientError } from '../http/errors.ts';

export interface EnquiryInput {
  name: string;
  company: string | null;
  email: string;
  phone: string | null;
  message: string;
}

export interface FieldFault {
  field: string;
  message: string;
}

/** Fields the form sends; `website` is a honeypot, hidden from people, that bots fill in. */
export const ENQUIRY_FIELDS = ['name', 'company', 'email', 'phone', 'message', 'consent', 'website'] as const;
export const LIMITS = { name: 100, company: 120, email: 254, phone: 30, message: 2000 } as const;
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const PHONE = /^\+?[0-9 ().-]{6,30}$/;

/** Thrown for a filled honeypot: the caller answers as if all went well and keeps nothing. */
export class HoneypotFilled extends Error {}

function text(body: Record<string, unknown>, field: keyof typeof LIMITS, required: boolean, faults: FieldFault[]): string | null {
  const raw = body[field];
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    faults.push({ field, message: 'texte attendu / text expected' });
    return null;
  }
  const value = (raw ?? '').trim();
  if (!value) {
    if (required) faults.push({ field, message: 'champ obligatoire / required field' });
    return null;
  }
  if (value.length > LIMITS[field]) {
    faults.push({ field, message: `${LIMITS[field]} caractères au plus / at most ${LIMITS[field]} characters` });
    return null;
  }
  // Control characters (other than line breaks in the message) have no place in a form's text.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value) || (field !== 'message' && /[\r\n]/.test(value))) {
    faults.push({ field, message: 'caractères non permis / characters not allowed' });
    return null;
  }
  return value;
}

/** The enquiry, or a 422 listing every fault (`details.fields`). */
export function parseEnquiry(body: Record<string, unknown>): EnquiryInput {
  if (typeof body.website === 'string' && body.website.trim() !== '') throw new HoneypotFilled();
  const faults: FieldFault[] = [];
  const name = text(body, 'name', true, faults);
  const company = text(body, 'company', false, faults);
  const email = text(body, 'email', true, faults);
  if (email && !EMAIL.test(email)) faults.push({ field: 'email', message: 'adresse e-mail invalide / invalid e-mail address' });
  const phone = text(body, 'phone', false, faults);
  if (phone && !PHONE.test(phone)) faults.push({ field: 'phone', message: 'numéro de téléphone invalide / invalid phone number' });
  const message = text(body, 'message', true, faults);
  if (body.consent !== true) {
    faults.push({ field: 'consent', message: 'votre accord est nécessaire pour traiter la demande / your consent is needed to handle the enquiry' });
  }
  if (faults.length) {
    throw new ClientError(422, 'UnprocessableEntity',
      `demande incomplète ou invalide / incomplete or invalid enquiry: ${faults.map((f) => f.field).join(', ')}`,
      { field: faults[0]!.field, fields: faults });
  }
  return { name: name!, company, email: email!, phone, message: message! };
}
