// The ZAE inventory: public files at /downloads/zae/{site-eco,terrain-eco,etablissement}.{csv,gpkg}; for
// staff the same files with what the public ones leave out (/api/zae/{class}.{csv,gpkg}: the occupants)
// and GET /api/zae/check, which lists per zone, lot and occupant what makes its row invalid or is unset.
import Router from '@koa/router';
import type { Context } from 'koa';
import { createVersionedMemo, lastModified, versionTag } from '../../core/db/change-signal.ts';
import { checkTable } from '../../core/zae/table-schema-check.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { answerNotModified, weakEtag } from '../http/conditional.ts';
import { notFound } from '../http/errors.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { ETABLISSEMENT_SQL, unsetEtablissementFields, type EtablissementSqlRow } from './zae-etablissement.ts';
import { createZaeReader, zaeCsv, zaeGeoPackage, ZAE_CLASSES, type ZaeAudience, type ZaeClass } from './zae-files.ts';
import { unsetSiteFields, unsetTerrainFields } from './zae-rows.ts';
import { buildSiteSql, buildTerrainSql, type SiteSqlRow, type TerrainSqlRow } from './zae-sql.ts';

/** The layers the inventory reads: a write to any of them makes new files. */
const SOURCES = ['business_zones', 'zone_lots', 'fibre_phases', 'parcels'];
const FILE = /^(site-eco|terrain-eco|etablissement)\.(csv|gpkg)$/;

export const ZAE_DOWNLOADS: readonly { path: string; cls: ZaeClass; format: 'csv' | 'gpkg' }[] =
  ZAE_CLASSES.flatMap((cls) => (['csv', 'gpkg'] as const).map((format) => ({ path: `/downloads/zae/${cls}.${format}`, cls, format })));

export function zaeRoutes({ db, layers, config, changes }: RouteDeps): Router {
  const read = createZaeReader(db, layers, config);
  const files = createVersionedMemo<Buffer>();
  const router = new Router();

  const serve = async (ctx: Context, file: string | undefined, audience: ZaeAudience) => {
    const match = FILE.exec(file ?? '');
    if (!match) throw notFound(`pas de fichier « ${file} » ; voir /downloads / no such file; see /downloads`);
    const cls = match[1] as ZaeClass;
    const format = match[2] as 'csv' | 'gpkg';
    const state = await changes.current();
    const tag = versionTag(state, SOURCES);
    const etag = weakEtag('zae-2', audience, cls, format, tag, config.zaeEpciName, config.zaeEpciSiren);
    const written = lastModified(state, SOURCES);
    if (written) ctx.lastModified = written;
    ctx.set('Cache-Control', audience === 'public' ? 'public, max-age=60' : 'private, no-store');
    if (answerNotModified(ctx, etag)) return;
    const body = await files.get(`${audience}/${cls}.${format}`, tag, async () => {
      const table = await read(cls, audience);
      if (format === 'csv') return Buffer.from(zaeCsv(table), 'utf8');
      return Buffer.from(await zaeGeoPackage(db, table, (written ?? new Date()).toISOString()));
    });
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/geopackage+sqlite3';
    ctx.attachment(`${cls}.${format}`);
    ctx.body = body;
  };
  router.get('/downloads/zae/:file', (ctx) => serve(ctx, ctx.params.file, 'public'));

  const siteSql = buildSiteSql(layers);
  const terrainSql = buildTerrainSql();
  router.get('/api/zae/check', requireStaff(db), async (ctx) => {
    const [sites, terrains, occupants, siteSource, terrainSource, occupantSource] = await Promise.all([
      read('site-eco'), read('terrain-eco'), read('etablissement', 'staff'),
      db.query<SiteSqlRow & Record<string, unknown>>(siteSql), db.query<TerrainSqlRow & Record<string, unknown>>(terrainSql),
      db.query<EtablissementSqlRow & Record<string, unknown>>(ETABLISSEMENT_SQL),
    ]);
    const report = <S>(table: typeof sites, source: S[], unset: (row: S) => string[], label: (row: S) => Record<string, unknown>) => {
      const errors = checkTable(table.schema, table.header, table.rows);
      return source.map((row, i) => ({
        ...label(row),
        valid: !errors.some((e) => e.row === i + 1),
        errors: errors.filter((e) => e.row === i + 1).map(({ field, message }) => ({ field, message })),
        unset: unset(row),
      }));
    };
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = {
      site_eco: report(sites, siteSource.rows, unsetSiteFields, (r) => ({ zone_id: r.id, code: r.code, name: r.name })),
      terrain_eco: report(terrains, terrainSource.rows, unsetTerrainFields, (r) => ({ lot_id: r.id, zone_id: r.zone_id })),
      etablissement: report(occupants, occupantSource.rows, unsetEtablissementFields, (r) => ({ siret: r.siret, lot_ids: r.lot_ids })),
    };
  });
  // After /api/zae/check, which the pattern would otherwise take for a file name.
  router.get('/api/zae/:file', requireStaff(db), (ctx) => serve(ctx, ctx.params.file, 'staff'));
  return router;
}
