// Staff editing of business zones and lots: the lots' commercial fields (status date, option
// expiry, NAF code, servicing), a version on zones, lot lineage for splits and merges, audit
// indexes for per-lot and per-person history, and the lot geometry rules as a PostGIS function.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE zone_lots
      ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN option_expires_on date,
      -- The format only; membership of the NAF rév. 2 list is checked by the API and the lot import.
      ADD COLUMN naf_code text CHECK (naf_code ~ '^[0-9]{2}\\.[0-9]{2}[A-Z]$'),
      ADD COLUMN serviced boolean,
      ADD COLUMN water boolean,
      ADD COLUMN sewer boolean,
      ADD COLUMN electricity boolean,
      ADD COLUMN fibre_ready boolean;

    -- The date of the last status change is the database's to keep: no client can misstate it.
    CREATE FUNCTION websig_lot_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_changed_at := now();
      ELSE
        NEW.status_changed_at := OLD.status_changed_at;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER zone_lots_status_changed BEFORE INSERT OR UPDATE ON zone_lots
      FOR EACH ROW EXECUTE FUNCTION websig_lot_status_changed();

    ALTER TABLE business_zones ADD COLUMN version integer NOT NULL DEFAULT 1;
    CREATE TRIGGER business_zones_version BEFORE UPDATE ON business_zones
      FOR EACH ROW EXECUTE FUNCTION websig_bump_version();

    -- Which lots a lot was cut from (split) or joined from (merge). The parents are deleted by the
    -- operation, so no foreign key: their last state is in the operation's audit entry.
    CREATE TABLE lot_lineage (
      lot_id integer NOT NULL,
      parent_id integer NOT NULL,
      operation text NOT NULL CHECK (operation IN ('split', 'merge')),
      at timestamptz NOT NULL DEFAULT now(),
      audit_id bigint REFERENCES audit_log (id) ON DELETE SET NULL,
      PRIMARY KEY (lot_id, parent_id)
    );
    CREATE INDEX lot_lineage_parent_idx ON lot_lineage (parent_id);

    CREATE INDEX audit_log_feature_idx ON audit_log (layer, feature_id, id);
    CREATE INDEX audit_log_user_idx ON audit_log (user_id, id);

    -- What is wrong with geometry g as a lot of zone z (lots in "ignored" excepted, e.g. the lot
    -- itself or the lots a split replaces): invalid, outside the zone, or overlapping a sibling,
    -- each beyond its tolerance; areas are geodesic (m²). plpgsql so that the area computations,
    -- which GEOS may refuse on an invalid geometry, never run on one.
    CREATE FUNCTION websig_lot_geometry_problems(g geometry, z integer, ignored integer[],
        max_outside_m2 float8, max_overlap_m2 float8, max_overlap_share float8)
      RETURNS TABLE (problem text, detail text, lot_id integer, lot_number text, area_m2 float8)
      LANGUAGE plpgsql STABLE AS $$
    DECLARE
      zone_geom geometry;
      own_m2 float8;
    BEGIN
      IF NOT ST_IsValid(g) THEN
        RETURN QUERY SELECT 'invalid'::text, ST_IsValidReason(g), NULL::integer, NULL::text, NULL::float8;
        RETURN;
      END IF;
      SELECT bz.geom INTO zone_geom FROM business_zones bz WHERE bz.id = z;
      IF NOT ST_CoveredBy(g, zone_geom) THEN
        RETURN QUERY SELECT 'outside_zone'::text, NULL::text, NULL::integer, NULL::text, o.m2
          FROM (SELECT ST_Area(ST_Difference(g, zone_geom)::geography) AS m2) o WHERE o.m2 > max_outside_m2;
      END IF;
      own_m2 := ST_Area(g::geography);
      RETURN QUERY SELECT 'overlap'::text, NULL::text, l.id, l.lot_number, o.m2
        FROM zone_lots l CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(g, l.geom)::geography) AS m2) o
       WHERE l.zone_id = z AND NOT (l.id = ANY (ignored)) AND l.geom && g AND ST_Intersects(l.geom, g)
         AND o.m2 > least(max_overlap_m2, max_overlap_share * least(own_m2, l.area_m2::float8))
       ORDER BY l.id;
    END $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION IF EXISTS websig_lot_geometry_problems(geometry, integer, integer[], float8, float8, float8);
    DROP INDEX IF EXISTS audit_log_feature_idx, audit_log_user_idx;
    DROP TABLE IF EXISTS lot_lineage;
    DROP TRIGGER IF EXISTS business_zones_version ON business_zones;
    ALTER TABLE business_zones DROP COLUMN IF EXISTS version;
    DROP TRIGGER IF EXISTS zone_lots_status_changed ON zone_lots;
    DROP FUNCTION IF EXISTS websig_lot_status_changed();
    ALTER TABLE zone_lots DROP COLUMN status_changed_at, DROP COLUMN option_expires_on, DROP COLUMN naf_code,
      DROP COLUMN serviced, DROP COLUMN water, DROP COLUMN sewer, DROP COLUMN electricity, DROP COLUMN fibre_ready;
  `);
}
