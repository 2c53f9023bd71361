// What staff may import into, for the console's import form: each importable layer (and the lots,
// keyed on zone code and lot number), the modes it accepts and the built-in mapping profiles meant for it.
import type { Label } from '../../core/layers/layer-def.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { importableLayers } from '../../data-import/pipeline.ts';
import { LOT_IMPORT_LAYER } from '../../data-import/lot-import.ts';
import { IMPORT_MODES, type ImportMode } from '../../data-import/import-summary.ts';
import { builtInProfiles, loadProfile } from '../../data-import/mapping.ts';

export interface ImportProfileInfo {
  name: string;
  description?: string;
}

export interface ImportTarget {
  layer: string;
  title: Label;
  /** The natural key upserts and diffs match on (`zone_code, lot_number` for lots), or null. */
  key: string | null;
  /** Modes the layer accepts; the form offers no default among them. */
  modes: ImportMode[];
  /** Built-in profiles written for this layer (besides `default`: fields matched by name). */
  profiles: ImportProfileInfo[];
}

/** The import targets, in the registry's order; built-in profiles read once per call (a few small files). */
export function listImportTargets(layers: LayerRegistry): ImportTarget[] {
  const profiles = builtInProfiles().map((name) => loadProfile(name));
  const profilesFor = (layer: string): ImportProfileInfo[] =>
    profiles.filter((p) => p.layer === layer).map((p) => ({ name: p.name, ...(p.description ? { description: p.description } : {}) }));
  const targets: ImportTarget[] = importableLayers(layers).map((layer) => ({
    layer: layer.id,
    title: layer.title,
    key: layer.import?.key ?? null,
    modes: IMPORT_MODES.filter((mode) => mode !== 'upsert' || layer.import?.key !== undefined),
    profiles: profilesFor(layer.id),
  }));
  const lots = layers.get(LOT_IMPORT_LAYER);
  // Lots have their own import path (data-import/lot-import.ts): upsert by (zone code, lot number) only.
  if (lots && layers.get('business_zones')) {
    targets.push({ layer: lots.id, title: lots.title, key: 'zone_code, lot_number', modes: ['upsert'], profiles: profilesFor(lots.id) });
  }
  return targets;
}
