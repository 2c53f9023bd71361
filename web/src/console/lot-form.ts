// The attribute form of one lot: the feature form over the lots' description (every editable field but
// the zone, which a lot never leaves), with the lot's area, status date and version shown above it.
import { createFeatureForm, type LoadedFeature } from './feature-form.ts';
import { lt } from './lots-strings.ts';
import { editableFields } from './lot-values.ts';
import type { LoadedLot, LotFeature, StaffField } from './lot-types.ts';
import type { StaffApi } from './staff-api.ts';

export interface LotForm {
  show(loaded: LoadedLot | null): void;
  relabel(): void;
}

interface LotFormOptions {
  api: StaffApi;
  fields: readonly StaffField[];
  announce: (message: string) => void;
  onChanged: (loaded: LoadedLot) => void;
}

export function createLotForm(root: HTMLElement, options: LotFormOptions): LotForm {
  const form = createFeatureForm<LotFeature>(root, {
    ...options,
    editable: editableFields(options.fields),
    idPrefix: 'lot',
    facts: ['area_m2', 'status_changed_at', 'version'],
    path: (id) => `/api/lots/${id}`,
    heading: (lot) => lt('formHeading', { n: lot.properties.lot_number }),
    saved: (lot) => lt('lotSaved', { n: lot.properties.lot_number }),
    conflictHeading: () => lt('conflictHeading'),
    empty: () => lt('noLot'),
    onChanged: ({ feature, etag }: LoadedFeature<LotFeature>) => options.onChanged({ lot: feature, etag }),
  });
  return {
    show: (loaded) => form.show(loaded && { feature: loaded.lot, etag: loaded.etag }),
    relabel: form.relabel,
  };
}
