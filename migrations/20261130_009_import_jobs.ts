// Import jobs: a run is queued, then runs in steps reported as phase and progress with a heartbeat,
// can be cancelled, and ends with the fault (the file's or the server's) when it fails. At most
// one queued or running import per layer. The per-row WKT reader the staging steps call.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- Runs left 'running' by a process that died before jobs existed cannot be running now.
    UPDATE import_runs SET status = 'failed', finished_at = coalesce(finished_at, now()) WHERE status = 'running';
    ALTER TABLE import_runs DROP CONSTRAINT import_runs_status_check;
    ALTER TABLE import_runs ADD CONSTRAINT import_runs_status_check CHECK (status IN ('queued','running','succeeded','failed','cancelled'));
    ALTER TABLE import_runs
      ADD COLUMN phase text NOT NULL DEFAULT 'done' CHECK (phase IN ('queued','reading','checking','writing','done','failed','cancelled')),
      ADD COLUMN progress_done bigint NOT NULL DEFAULT 0,
      ADD COLUMN progress_total bigint NOT NULL DEFAULT 0,
      ADD COLUMN progress_unit text NOT NULL DEFAULT 'features' CHECK (progress_unit IN ('features','bytes')),
      ADD COLUMN heartbeat timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false,
      ADD COLUMN fault text CHECK (fault IN ('file','server')),
      ADD COLUMN upload_path text,
      ADD COLUMN runner text;
    UPDATE import_runs SET phase = 'failed' WHERE status = 'failed';
    CREATE UNIQUE INDEX import_runs_one_active_idx ON import_runs (layer) WHERE status IN ('queued','running');

    -- Reads one staged WKT value; a parse failure becomes a reason instead of failing the statement.
    CREATE FUNCTION websig_import_wkt(t text, srid integer, polygons boolean, OUT g geometry, OUT err text)
    LANGUAGE plpgsql AS $$
    BEGIN
      g := ST_Force2D(ST_GeomFromEWKT(t));
      IF ST_SRID(g) = 0 THEN g := ST_SetSRID(g, srid); END IF;
      IF ST_IsEmpty(g) THEN g := NULL; err := 'empty geometry'; RETURN; END IF;
      IF polygons THEN
        IF GeometryType(g) NOT IN ('POLYGON', 'MULTIPOLYGON') THEN
          err := 'geometry type ' || GeometryType(g) || ' does not fit a polygon layer'; g := NULL; RETURN;
        END IF;
        g := ST_Multi(g);
      ELSE
        IF GeometryType(g) = 'MULTIPOINT' AND ST_NumGeometries(g) = 1 THEN g := ST_GeometryN(g, 1); END IF;
        IF GeometryType(g) <> 'POINT' THEN
          err := 'geometry type ' || GeometryType(g) || ' does not fit a point layer'; g := NULL; RETURN;
        END IF;
      END IF;
    EXCEPTION WHEN others THEN
      g := NULL; err := 'unreadable WKT: ' || SQLERRM;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION IF EXISTS websig_import_wkt(text, integer, boolean);
    DROP INDEX IF EXISTS import_runs_one_active_idx;
    UPDATE import_runs SET status = 'failed' WHERE status IN ('queued','running','cancelled');
    ALTER TABLE import_runs
      DROP COLUMN IF EXISTS phase, DROP COLUMN IF EXISTS progress_done, DROP COLUMN IF EXISTS progress_total,
      DROP COLUMN IF EXISTS progress_unit, DROP COLUMN IF EXISTS heartbeat, DROP COLUMN IF EXISTS cancel_requested,
      DROP COLUMN IF EXISTS fault, DROP COLUMN IF EXISTS upload_path, DROP COLUMN IF EXISTS runner;
    ALTER TABLE import_runs DROP CONSTRAINT import_runs_status_check;
    ALTER TABLE import_runs ADD CONSTRAINT import_runs_status_check CHECK (status IN ('running','succeeded','failed'));
  `);
}
