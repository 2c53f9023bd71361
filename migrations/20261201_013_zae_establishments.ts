// The CNIG ZAE inventory, completed: a zone's dominant vocation in the standard's own list (the
// coarser `kind` stays its default), and what the ETABLISSEMENT table requires of a lot's occupant
// that no other field holds (legal category, founding date, INSEE headcount band and its year,
// head office). Occupant fields, so staff only, as the occupant's name and SIRET are.
import type { Knex } from 'knex';
import { cnigCodeList, SITE_ECO_SCHEMA } from '../core/zae/cnig-schemas.ts';
import { INSEE_HEADCOUNT_CODES } from '../core/zae/insee-headcount.ts';

/** A SQL text literal of a value from a shipped code list (never a request). */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE business_zones
      ADD COLUMN site_vocadomi text CHECK (site_vocadomi IN (${cnigCodeList(SITE_ECO_SCHEMA, 'site_vocadomi').map(literal).join(', ')}));
    ALTER TABLE zone_lots
      ADD COLUMN etab_nat_juridique text CHECK (etab_nat_juridique ~ '^[1-9][0-9]{3}$'),
      ADD COLUMN etab_creation_date date,
      ADD COLUMN etab_effectif_code text CHECK (etab_effectif_code IN (${INSEE_HEADCOUNT_CODES.map((c) => literal(c.value)).join(', ')})),
      ADD COLUMN etab_effectif_annee integer CHECK (etab_effectif_annee BETWEEN 1800 AND 2200),
      ADD COLUMN etab_siege boolean;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE zone_lots DROP COLUMN etab_nat_juridique, DROP COLUMN etab_creation_date, DROP COLUMN etab_effectif_code,
      DROP COLUMN etab_effectif_annee, DROP COLUMN etab_siege;
    ALTER TABLE business_zones DROP COLUMN site_vocadomi;
  `);
}
