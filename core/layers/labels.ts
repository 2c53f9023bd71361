// Tiny constructors that keep the layer descriptions readable.
import type { CodeRole, CodeValue, Label, PropertyDef, PropertyType } from './layer-def.ts';

/** A French label with its English translation. */
export function label(fr: string, en: string): Label {
  return Object.freeze({ fr, en });
}

/** A code-list value with its labels, optional legend colour and optional role (what our SQL reads it as). */
export function code(value: string, fr: string, en: string, color?: string, role?: CodeRole): CodeValue {
  return { value, label: label(fr, en), ...(color ? { color } : {}), ...(role ? { role } : {}) };
}

/** A property; public unless `options.public` is false. */
export function prop(
  name: string,
  type: PropertyType,
  fr: string,
  en: string,
  options: Partial<Omit<PropertyDef, 'name' | 'type' | 'label'>> = {},
): PropertyDef {
  return { name, type, label: label(fr, en), public: true, ...options };
}
