// Pure parts of the staff console: which tabs a role sees, and how lot values are shown to people
// and which fields the lot form offers (from the staff layer description).
import { describe, expect, it } from 'vitest';
import { panelsFor } from '../web/src/console/console-tabs.ts';
import { editableFields, formatValue } from '../web/src/console/lot-values.ts';
import { describeLayerForStaff } from '../server/layers/layers.routes.ts';
import { zoneLots } from '../core/layers/zone-lots.layer.ts';
import type { ConsolePanel } from '../web/src/console/panel.ts';
import type { StaffField } from '../web/src/console/lot-types.ts';

const panel = (id: string, roles: ConsolePanel['roles']): ConsolePanel => ({ id, label: { fr: id, en: id }, roles, mount: () => undefined });

describe('console tabs by role', () => {
  it('shows admins every tab and staff only the tabs open to staff, in registry order', () => {
    const registry = [panel('lots', ['staff', 'admin']), panel('accounts', ['admin']), panel('imports', ['staff', 'admin'])];
    expect(panelsFor(registry, 'staff').map((p) => p.id)).toEqual(['lots', 'imports']);
    expect(panelsFor(registry, 'admin').map((p) => p.id)).toEqual(['lots', 'accounts', 'imports']);
  });
});

describe('lot values in the console', () => {
  const fields = describeLayerForStaff(zoneLots).fields as StaffField[];
  const field = (name: string) => fields.find((f) => f.name === name);

  it('offers every field a person may set, and none the database computes or the zone', () => {
    const names = editableFields(fields).map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['lot_number', 'status', 'option_expires_on', 'occupant_name', 'occupant_siret', 'naf_code', 'price_per_m2', 'serviced', 'notes']));
    for (const computed of ['area_m2', 'status_changed_at', 'version', 'zone_id']) expect(names).not.toContain(computed);
  });

  it('writes code values by their label, booleans as oui/non, a SIRET in groups and a missing value as a dash', () => {
    expect(formatValue(field('status'), 'sold')).toBe('Vendu');
    expect(formatValue(field('serviced'), true)).toBe('oui');
    expect(formatValue(field('occupant_siret'), '73282932000074')).toBe('732 829 320 00074');
    expect(formatValue(field('price_per_m2'), null)).toBe('—');
    expect(formatValue(field('price_per_m2'), 31)).toBe('31');
  });
});
