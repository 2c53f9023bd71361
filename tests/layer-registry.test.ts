// The layer descriptions: complete, valid, and rejected loudly when inconsistent.
import { describe, expect, it } from 'vitest';
import { ALL_LAYERS, createLayerRegistry, publicProperties } from '../core/layers/registry.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { describeLayerPublicly } from '../server/layers/layers.routes.ts';

const lots = ALL_LAYERS.find((l) => l.id === 'zone_lots')!;
const withChanges = (changes: Partial<LayerDef>): LayerDef => ({ ...lots, ...changes });

describe('layer registry', () => {
  it('describes the eight layers of the design, once each', () => {
    expect(createLayerRegistry().all.map((l) => l.id).sort()).toEqual([
      'addresses', 'business_zones', 'fibre_phases', 'fibre_premises', 'incidents', 'parcels', 'wifi_hotspots', 'zone_lots',
    ]);
  });

  it('freezes the descriptions so no request can change them', () => {
    const layer = createLayerRegistry().get('zone_lots')!;
    expect(Object.isFrozen(layer)).toBe(true);
    expect(Object.isFrozen(layer.properties[0])).toBe(true);
  });

  it('gives text-id layers an integer surrogate feature id', () => {
    for (const layer of ALL_LAYERS) {
      expect(layer.featureIdColumn).toBe(layer.idType === 'text' ? 'fid' : 'id');
    }
  });

  it('keeps reporters’ contact details and staff notes private', () => {
    const incidents = ALL_LAYERS.find((l) => l.id === 'incidents')!;
    const names = publicProperties(incidents).map((p) => p.name);
    expect(names).not.toContain('reporter_email');
    expect(names).not.toContain('reporter_name');
    expect(names).not.toContain('reporter_phone');
    expect(publicProperties(lots).map((p) => p.name)).not.toContain('notes');
  });

  it('has French and English labels on every layer, property and code value', () => {
    for (const layer of ALL_LAYERS) {
      for (const label of [layer.title, layer.description, ...layer.properties.map((p) => p.label),
        ...layer.properties.flatMap((p) => p.values?.map((v) => v.label) ?? [])]) {
        expect(label.fr.length).toBeGreaterThan(0);
        expect(label.en.length).toBeGreaterThan(0);
      }
    }
  });

  it('publishes only public fields and a legend in the public description', () => {
    const json = JSON.stringify(ALL_LAYERS.map(describeLayerPublicly));
    for (const secret of ['reporter_email', 'reporter_name', 'reporter_phone', '"published"', '"notes"']) {
      expect(json).not.toContain(secret);
    }
    const described = describeLayerPublicly(lots);
    expect(described.legend.map((l) => l.value)).toEqual(['available', 'optioned', 'reserved', 'sold', 'occupied', 'unavailable']);
  });

  it('rejects a property that is not a safe SQL identifier', () => {
    const bad = withChanges({ properties: [...lots.properties, { name: 'x"; drop', type: 'text', label: { fr: 'x', en: 'x' }, public: true }] });
    expect(() => createLayerRegistry([bad])).toThrow(/not a lower-case SQL identifier/);
  });

  it('rejects a zoom range outside 0-22 or upside down', () => {
    expect(() => createLayerRegistry([withChanges({ minzoom: 12, maxzoom: 10 })])).toThrow(/zoom range/);
    expect(() => createLayerRegistry([withChanges({ maxzoom: 23 })])).toThrow(/zoom range/);
  });

  it('rejects a style coloured by a property without a code list', () => {
    expect(() => createLayerRegistry([withChanges({ style: { ...lots.style, colorBy: 'activity' } })])).toThrow(/code list/);
  });

  it('rejects a fibre status list whose values lack the roles eligibility and the THD label read', () => {
    const phases = ALL_LAYERS.find((l) => l.id === 'fibre_phases')!;
    const roleless = {
      ...phases,
      properties: phases.properties.map((p) => p.values ? { ...p, values: p.values.map(({ role: _, ...v }) => v) } : p),
    };
    expect(() => createLayerRegistry([roleless])).toThrow(/"status" value "deployed" needs a role/);
    const undeployed = {
      ...phases,
      properties: phases.properties.map((p) => p.values ? { ...p, values: p.values.filter((v) => v.role !== 'deployed') } : p),
    };
    expect(() => createLayerRegistry([undeployed])).toThrow(/"status" needs a value with role "deployed"/);
  });

  it('rejects a role on a code list that no SQL reads by role', () => {
    const bad = withChanges({
      properties: lots.properties.map((p) => p.values ? { ...p, values: p.values.map((v) => ({ ...v, role: 'deployed' as const })) } : p),
    });
    expect(() => createLayerRegistry([bad])).toThrow(/has role "deployed", which no SQL reads there/);
  });

  it('rejects a layer described twice and a property shadowing a reserved column', () => {
    expect(() => createLayerRegistry([lots, lots])).toThrow(/described twice/);
    const shadow = withChanges({ properties: [...lots.properties, { name: 'geom', type: 'text', label: { fr: 'g', en: 'g' }, public: true }] });
    expect(() => createLayerRegistry([shadow])).toThrow(/reserved column/);
  });

  it('rejects a reference to a property no described layer publishes', () => {
    expect(() => createLayerRegistry([lots])).toThrow(/zone_id.*business_zones\.name/);
  });
});
