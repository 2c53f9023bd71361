// Code lists read by role: which lists the platform's own SQL (eligibility, THD label) reads by
// meaning, the check that keeps them complete, and the look-ups its SQL builders use.
import type { CodeRole, FibreStage, LayerDef } from './layer-def.ts';
import { FIBRE_STAGES } from './layer-def.ts';

/** A code list that SQL reads by role. */
interface RoleList {
  readonly layer: string;
  readonly property: string;
  /** Roles its values may carry. */
  readonly allowed: readonly CodeRole[];
  /** Every value carries a role: eligibility ranks and translates the whole list. */
  readonly everyValue: boolean;
  /** Roles the SQL looks for, each carried by one value at least. */
  readonly needed: readonly CodeRole[];
}

const ZONE_STAGES: readonly FibreStage[] = ['not_planned', 'study', 'planned', 'in_progress', 'deployed'];

/** The lists read by role. Zones have no per-building stages (target, signed, connectable); the THD
 *  label counts deployed zones and premises; eligibility lists only hotspots in service. */
const ROLE_LISTS: readonly RoleList[] = [
  { layer: 'fibre_phases', property: 'status', allowed: ZONE_STAGES, everyValue: true, needed: ['deployed'] },
  { layer: 'fibre_premises', property: 'status', allowed: FIBRE_STAGES, everyValue: true, needed: ['deployed'] },
  { layer: 'wifi_hotspots', property: 'status', allowed: ['in_service'], everyValue: false, needed: ['in_service'] },
];

/** Throws when a list read by role lacks a role the SQL needs, or a value carries a role nobody reads. */
export function validateCodeRoles(layer: LayerDef): void {
  const where = `layer description "${layer.id}"`;
  for (const p of layer.properties) {
    const list = ROLE_LISTS.find((l) => l.layer === layer.id && l.property === p.name);
    for (const v of p.values ?? []) {
      if (v.role === undefined) {
        if (list?.everyValue) throw new Error(`${where}: "${p.name}" value "${v.value}" needs a role (one of ${list.allowed.join(', ')})`);
      } else if (!list?.allowed.includes(v.role)) {
        throw new Error(`${where}: "${p.name}" value "${v.value}" has role "${v.role}", which no SQL reads there`);
      }
    }
    for (const role of list?.needed ?? []) {
      if (!p.values?.some((v) => v.role === role)) {
        throw new Error(`${where}: "${p.name}" needs a value with role "${role}" (eligibility and the THD label read it)`);
      }
    }
  }
  for (const list of ROLE_LISTS.filter((l) => l.layer === layer.id)) {
    if (!layer.properties.some((p) => p.name === list.property && p.values)) {
      throw new Error(`${where}: "${list.property}" must be a code list with roles (eligibility and the THD label read it)`);
    }
  }
}

/** The code list the SQL builders read; a missing one is a wiring error, thrown at start-up. */
function codeList(layer: LayerDef | undefined, property: string) {
  const values = layer?.properties.find((p) => p.name === property)?.values;
  if (!values) throw new Error(`no code list "${property}" on layer "${layer?.id ?? '(missing)'}"`);
  return values;
}

/** The stored values of `layer.property` that carry one of `roles`, in list order. */
export function valuesWithRole(layer: LayerDef | undefined, property: string, roles: readonly CodeRole[]): string[] {
  return codeList(layer, property).filter((v) => v.role !== undefined && roles.includes(v.role)).map((v) => v.value);
}

/** Each stored value of a fibre status list with its stage, in list order. */
export function fibreStagesOf(layer: LayerDef | undefined, property: string): (readonly [string, FibreStage])[] {
  return codeList(layer, property).map((v) => {
    const stage = FIBRE_STAGES.find((s) => s === v.role);
    if (!stage) throw new Error(`"${layer?.id}.${property}" value "${v.value}" has no fibre stage`);
    return [v.value, stage] as const;
  });
}
