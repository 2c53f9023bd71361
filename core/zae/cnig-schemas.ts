// The CNIG "Sites économiques" table schemas (frictionless, v1.0.1) shipped unchanged in ./schemas,
// typed for the export, the validator and the code lists of the zone and lot descriptions.
import siteEco from './schemas/site-eco.schema.json' with { type: 'json' };
import terrainEco from './schemas/terrain-eco.schema.json' with { type: 'json' };
import etablissement from './schemas/etablissement.schema.json' with { type: 'json' };

export interface TableSchemaField {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  /** The code list, at the field's top level in these schemas (or under constraints for oui/non). */
  readonly enum?: readonly string[];
  readonly constraints?: { readonly required?: boolean; readonly pattern?: string; readonly enum?: readonly string[] };
}

export interface TableSchema {
  readonly name: string;
  readonly fields: readonly TableSchemaField[];
  readonly missingValues?: readonly string[];
  readonly primaryKey?: string;
}

export const SITE_ECO_SCHEMA: TableSchema = siteEco as TableSchema;
export const TERRAIN_ECO_SCHEMA: TableSchema = terrainEco as TableSchema;
export const ETABLISSEMENT_SCHEMA: TableSchema = etablissement as TableSchema;

/** The code list of `field` in `schema`; throws when the field has none (a typo in our code). */
export function cnigCodeList(schema: TableSchema, field: string): readonly string[] {
  const f = schema.fields.find((x) => x.name === field);
  const values = f?.enum ?? f?.constraints?.enum;
  if (!values) throw new Error(`CNIG schema ${schema.name} has no code list for ${field}`);
  return values;
}
