// The JSON shapes of a report: public (tracking page, form, "me too") and staff (triage console).
import type { IncidentContext } from './incident-context.ts';
import { photoPath } from './incident-photos.ts';
import type { PublicIncident, StaffIncident } from './incident-store.ts';

/** ISO 8601 with an explicit offset, as Open311 asks (UTC, `+00:00`). */
export function isoWithOffset(date: Date | null): string | null {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, '+00:00') : null;
}

export function publicView(context: IncidentContext, r: PublicIncident) {
  return {
    id: r.id,
    service_code: r.service_code,
    service_name: context.serviceLabel(r.service_code),
    description: r.description,
    status: r.status,
    status_label: context.statusLabel(r.status),
    status_notes: r.status_notes,
    requested_datetime: isoWithOffset(r.requested_datetime),
    updated_datetime: isoWithOffset(r.updated_datetime),
    address_string: r.address_string,
    lon: r.lon,
    lat: r.lat,
    duplicate_of: r.duplicate_of,
    published: r.published,
    photos: r.photo_keys.map((key) => ({ url: photoPath(key), thumb_url: photoPath(key, true) })),
  };
}

export function staffView(context: IncidentContext, r: StaffIncident) {
  return {
    ...publicView(context, r),
    reporter_name: r.reporter_name,
    reporter_email: r.reporter_email,
    reporter_phone: r.reporter_phone,
    followers: r.followers,
    closed_at: isoWithOffset(r.closed_at),
    tracking_token: r.tracking_token,
  };
}
