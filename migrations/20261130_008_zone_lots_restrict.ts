// A business zone that still has lots cannot be deleted: the lots (their occupants, sales and
// history) must be moved or deleted on purpose first, never swept away by a zone import or an
// emptied zone layer, as ON DELETE CASCADE did.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE zone_lots DROP CONSTRAINT zone_lots_zone_id_fkey;
    ALTER TABLE zone_lots ADD CONSTRAINT zone_lots_zone_id_fkey
      FOREIGN KEY (zone_id) REFERENCES business_zones (id) ON DELETE RESTRICT;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE zone_lots DROP CONSTRAINT zone_lots_zone_id_fkey;
    ALTER TABLE zone_lots ADD CONSTRAINT zone_lots_zone_id_fkey
      FOREIGN KEY (zone_id) REFERENCES business_zones (id) ON DELETE CASCADE;
  `);
}
