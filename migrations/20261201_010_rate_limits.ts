// Shared request counters for rate limits (logins, anonymous forms), read and written by every
// instance. UNLOGGED: counters are worth nothing after a crash and must not cost WAL on every login.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE UNLOGGED TABLE rate_limits (
      bucket text NOT NULL,
      key text NOT NULL,
      count integer NOT NULL,
      window_end timestamptz NOT NULL,
      PRIMARY KEY (bucket, key)
    );
    CREATE INDEX rate_limits_window_end ON rate_limits (window_end);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE rate_limits');
}
