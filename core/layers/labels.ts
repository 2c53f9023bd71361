// Tiny constructors that keep the layer descriptions readable.
import type { CodeValue, Label, PropertyDef, PropertyType } from './layer-def.ts';

/** A French label with its English translation. */
export function label(fr: string, en: string): Label {
  return Object.freeze({ fr, en });
}

/** A code-list value with its labels and optional legend colour. */
export function code(value: string, fr: string, en: string, color?: string): CodeValue {
  return color ? { value, label: label(fr, en), color } : { value, label: label(fr, en) };
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
