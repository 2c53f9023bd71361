// The record of one business zone in the lots tab: the feature form over the zones' description, which
// holds the CNIG inventory's zone fields (site type, dominant vocation, state, owner type, dates) with
// the standard's code lists, so the inventory's "inconnu" gives way to what staff know.
import { createFeatureForm, type FeatureForm } from './feature-form.ts';
import { lt } from './lots-strings.ts';
import { editableFields } from './lot-values.ts';
import type { StaffField, ZoneFeature } from './lot-types.ts';
import type { StaffApi } from './staff-api.ts';

export function createZoneForm(root: HTMLElement, options: {
  api: StaffApi;
  fields: readonly StaffField[];
  announce: (message: string) => void;
  onChanged: (zone: ZoneFeature) => void;
}): FeatureForm<ZoneFeature> {
  return createFeatureForm<ZoneFeature>(root, {
    ...options,
    editable: editableFields(options.fields),
    idPrefix: 'zone',
    facts: [],
    path: (id) => `/api/zones/${id}`,
    heading: (zone) => lt('zoneHeading', { name: zone.properties.name }),
    saved: (zone) => lt('zoneSaved', { name: zone.properties.name }),
    conflictHeading: () => lt('zoneConflictHeading'),
    empty: () => '',
    onChanged: ({ feature }) => options.onChanged(feature),
  });
}
