// The start-up check's promises beyond columns: code lists against CHECK constraints, change-signal
// triggers and private columns, each refusal naming the piece and the migration to write; and the
// CHECK parser on the text PostgreSQL prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import {
  CatalogMismatchError, changeSignalProblem, compareCodeList, findCatalogMismatches, geometryTypmod, parseCheckValues, unsignalledEvents,
} from '../core/layers/catalog-check.ts';
import { code } from '../core/layers/labels.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ALL_LAYERS, createLayerRegistry, type LayerRegistry } from '../core/layers/registry.ts';
import { createLogger } from '../server/logger.ts';
import { prepareDatabase } from '../server/startup.ts';
import { openTestDatabase } from './helpers/test-db.ts';

describe('reading code-list CHECK constraints', () => {
  // pg_get_constraintdef prints these very strings on PostgreSQL 15.20 and on PGlite 18.3 for the
  // `CHECK (col IN (…))` our migrations write (text columns), and for varchar and single values.
  it('reads the values of a text column, unescaping quotes', () => {
    expect(parseCheckValues("CHECK ((status = ANY (ARRAY['deployed'::text, 'in_progress'::text, 'l''an'::text])))"))
      .toEqual({ column: 'status', values: ['deployed', 'in_progress', "l'an"] });
  });

  it('reads a varchar column, a single value, a quoted column name and a not-yet-validated constraint', () => {
    expect(parseCheckValues("CHECK (((kind)::text = ANY ((ARRAY['indoor'::character varying, 'outdoor'::character varying])::text[])))"))
      .toEqual({ column: 'kind', values: ['indoor', 'outdoor'] });
    expect(parseCheckValues("CHECK ((kind = 'indoor'::text))")).toEqual({ column: 'kind', values: ['indoor'] });
    expect(parseCheckValues("CHECK (((kind)::text = 'indoor'::text))")).toEqual({ column: 'kind', values: ['indoor'] });
    expect(parseCheckValues(`CHECK (("order" = ANY (ARRAY['a]'::text, 'b'::text]))) NOT VALID`))
      .toEqual({ column: 'order', values: ['a]', 'b'] });
  });

  it('ignores CHECKs that are not code lists', () => {
    for (const definition of [
      'CHECK ((premises >= 0))',
      'CHECK (((phase >= 1) AND (phase <= 9)))',
      "CHECK ((occupant_siret ~ '^[0-9]{14}$'::text))",
      'CHECK ((NOT st_isempty(geom)))',
      "CHECK ((status <> ALL (ARRAY['a'::text, 'b'::text])))",
      "CHECK (((status = ANY (ARRAY['a'::text])) OR (kind = 'b'::text)))",
    ]) expect(parseCheckValues(definition), definition).toBeUndefined();
  });

  it('reports each difference between a code list and its CHECK, in both directions', () => {
    expect(compareCodeList('t', 'status', ['a', 'b'], [['a', 'b']])).toEqual([]);
    expect(compareCodeList('t', 'status', ['a', 'b'], [['a', 'c']])).toEqual([
      "t.status: CHECK constraint allows 'c' which the description lacks — write a migration that replaces the CHECK constraint",
      "t.status: description lists 'b' which the CHECK constraint refuses — write a migration that replaces the CHECK constraint",
    ]);
    expect(compareCodeList('t', 'status', ['a'], [])).toEqual([
      "t.status: no CHECK constraint enforces its code list — write a migration that adds CHECK (status IN ('a'))",
    ]);
    expect(compareCodeList('t', 'note', undefined, [])).toEqual([]);
    expect(compareCodeList('t', 'note', undefined, [['x']])[0]).toMatch(/^t\.note: CHECK constraint restricts it to 'x' but the description has no code list/);
  });
});

describe('reading change-signal triggers', () => {
  // tgtype: 1 row-level, 2 before, 4 insert, 8 delete, 16 update, 32 truncate, 64 instead of.
  it('needs AFTER statement triggers covering insert, update, delete and truncate', () => {
    expect(unsignalledEvents([4 | 8 | 16, 32])).toEqual([]);
    expect(unsignalledEvents([4 | 8 | 16 | 32])).toEqual([]);
    expect(unsignalledEvents([4 | 8 | 16])).toEqual(['TRUNCATE']);
    expect(unsignalledEvents([])).toEqual(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);
  });

  it('does not count row-level or BEFORE triggers', () => {
    expect(unsignalledEvents([1 | 4 | 8 | 16, 2 | 32])).toEqual(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);
  });

  it('says which triggers the migration must create', () => {
    expect(changeSignalProblem('toy_layer', ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'])).toBe(
      'toy_layer: no change-signal trigger — write a migration creating AFTER INSERT OR UPDATE OR DELETE and ' +
        'AFTER TRUNCATE statement triggers executing websig_bump_layer_version()',
    );
    expect(changeSignalProblem('toy_layer', ['UPDATE'])).toBe(
      'toy_layer: no change-signal trigger for UPDATE — write a migration creating an AFTER UPDATE statement trigger ' +
        'executing websig_bump_layer_version()',
    );
  });
});

describe('start-up against a drifted catalog', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => db?.close());

  /** Runs the server's start-up preparation and returns the problems it refused to start with. */
  async function startUpProblems(layers: LayerRegistry = createLayerRegistry()): Promise<string[]> {
    const error = await prepareDatabase(db, layers, { seedDemo: false }, createLogger('silent')).then(() => undefined, (e: unknown) => e);
    if (error === undefined) return [];
    expect(error).toBeInstanceOf(CatalogMismatchError);
    return (error as CatalogMismatchError).problems;
  }

  it('starts on the migrated database', async () => {
    expect(await startUpProblems()).toEqual([]);
  });

  it('reads geometry type modifiers as PostGIS does, without calling it', async () => {
    const types = [
      'geometry', 'geometry(Point,4326)', 'geometry(MultiPolygon,3857)', 'geometry(PointZ,2154)', 'geometry(LineStringM,32630)',
      'geometry(PolygonZM,0)', 'geometry(GeometryCollection,4326)', 'geometry(MultiLineString,3948)', 'geometry(Point,999999)',
      'geometry(MultiPoint)', 'geometry(CurvePolygon,4326)', 'geometry(Tin,4326)',
    ];
    const columns = types.map((t, i) => `c${i} ${t}`).join(', ');
    await db.query(`CREATE TEMP TABLE typmods (${columns})`);
    try {
      const { rows } = await db.query<{ typmod: number; type: string; srid: number }>(
        `SELECT a.atttypmod AS typmod, postgis_typmod_type(a.atttypmod) AS type, postgis_typmod_srid(a.atttypmod) AS srid
           FROM pg_attribute a WHERE a.attrelid = 'typmods'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
      );
      expect(rows).toHaveLength(types.length);
      for (const [i, row] of rows.entries()) expect(geometryTypmod(row.typmod), types[i]).toEqual({ type: row.type, srid: row.srid });
    } finally {
      await db.query('DROP TABLE typmods');
    }
  });

  it('refuses a geometry column with a Z dimension the description lacks, which geometry_columns hid', async () => {
    const layer = createLayerRegistry().get('wifi_hotspots')!;
    const rolledBack = new Error('rolled back');
    const problems = await db.transaction(async (tx) => {
      // The tile geometry is generated from it: dropped first, and missed (its own problem).
      await tx.query('ALTER TABLE wifi_hotspots DROP COLUMN geom_3857');
      await tx.query(`ALTER TABLE wifi_hotspots ALTER COLUMN geom TYPE geometry(PointZ, ${layer.srid}) USING ST_Force3D(geom)`);
      throw Object.assign(rolledBack, { problems: await findCatalogMismatches(tx, [layer]) });
    }).catch((error: { problems?: string[] }) => error.problems ?? [String(error)]);
    expect(problems).toEqual([
      'wifi_hotspots.geom_3857: column is missing — write a migration that adds it',
      `wifi_hotspots.geom: PointZ/${layer.srid}, description expects ${layer.geometryType}/${layer.srid}`,
    ]);
    expect(await startUpProblems()).toEqual([]);
  });

  it('refuses when a change-signal trigger is dropped, naming the trigger to create', async () => {
    await db.query('DROP TRIGGER fibre_phases_layer_version_truncate ON fibre_phases');
    await db.query('DROP TRIGGER wifi_hotspots_layer_version ON wifi_hotspots');
    await db.query('DROP TRIGGER wifi_hotspots_layer_version_truncate ON wifi_hotspots');
    const problems = await startUpProblems();
    expect(problems).toContain('fibre_phases: no change-signal trigger for TRUNCATE — write a migration creating an ' +
      'AFTER TRUNCATE statement trigger executing websig_bump_layer_version()');
    expect(problems).toContain('wifi_hotspots: no change-signal trigger — write a migration creating AFTER INSERT OR UPDATE ' +
      'OR DELETE and AFTER TRUNCATE statement triggers executing websig_bump_layer_version()');
  });

  it('refuses when a change-signal trigger is disabled', async () => {
    await db.query('ALTER TABLE parcels DISABLE TRIGGER parcels_layer_version');
    expect(await startUpProblems()).toContain('parcels: no change-signal trigger for INSERT, UPDATE, DELETE — write a migration ' +
      'creating an AFTER INSERT OR UPDATE OR DELETE statement trigger executing websig_bump_layer_version()');
  });

  it('refuses when the CHECK constraint allows a value the description lacks', async () => {
    await db.query(`ALTER TABLE zone_lots DROP CONSTRAINT zone_lots_status_check, ADD CONSTRAINT zone_lots_status_check
      CHECK (status IN ('available','optioned','reserved','sold','occupied','unavailable','leased'))`);
    expect(await startUpProblems()).toContain(
      "zone_lots.status: CHECK constraint allows 'leased' which the description lacks — write a migration that replaces the CHECK constraint",
    );
  });

  it('refuses when the description lists a value the CHECK constraint refuses', async () => {
    const withMobile: readonly LayerDef[] = ALL_LAYERS.map((layer) => layer.id !== 'wifi_hotspots' ? layer : {
      ...layer,
      properties: layer.properties.map((p) => p.name !== 'kind' ? p : { ...p, values: [...p.values!, code('mobile', 'Mobile', 'Mobile')] }),
    });
    expect(await startUpProblems(createLayerRegistry(withMobile))).toContain(
      "wifi_hotspots.kind: description lists 'mobile' which the CHECK constraint refuses — write a migration that replaces the CHECK constraint",
    );
  });

  it('refuses when a code list has no CHECK constraint', async () => {
    await db.query('ALTER TABLE incidents DROP CONSTRAINT incidents_service_code_check');
    expect(await startUpProblems()).toContain('incidents.service_code: no CHECK constraint enforces its code list — write a ' +
      "migration that adds CHECK (service_code IN ('lighting', 'roads', 'signage', 'waste', 'network', 'green_space', 'other'))");
  });

  it('refuses when a column type drifts', async () => {
    await db.query('ALTER TABLE wifi_hotspots ALTER COLUMN commune TYPE integer USING NULL');
    expect(await startUpProblems()).toContainEqual(expect.stringMatching(/^wifi_hotspots\.commune: column type int4, description expects text/));
  });

  it('refuses when the column of a private property is missing', async () => {
    await db.query('ALTER TABLE incidents DROP COLUMN reporter_phone');
    expect(await startUpProblems()).toContain(
      'incidents.reporter_phone: column of a private property is missing — write a migration that adds it',
    );
  });
});
