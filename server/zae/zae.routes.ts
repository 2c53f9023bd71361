// The ZAE inventory: public files at /downloads/zae/{site-eco,terrain-eco}.{csv,gpkg}, and for staff
// GET /api/zae/check, which lists per zone and lot what makes its row invalid and what is left unset.
import Router from '@koa/router';
import { createVersionedMemo, lastModified, versionTag } from '../../core/db/change-signal.ts';
import { checkTable } from '../../core/zae/table-schema-check.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { answerNotModified, weakEtag } from '../http/conditional.ts';
import { notFound } from '../http/errors.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { createZaeReader, zaeCsv, zaeGeoPackage, ZAE_CLASSES, type ZaeClass } from './zae-files.ts';
import { unsetSiteFields, unsetTerrainFields } from './zae-rows.ts';
import { buildSiteSql, buildTerrainSql, type SiteSqlRow, type TerrainSqlRow } from './zae-sql.ts';

/** The layers the inventory reads: a write to any of them makes new files. */
const SOURCES = ['business_zones', 'zone_lots', 'fibre_phases', 'parcels'];
const FILE = /^(site-eco|terrain-eco)\.(csv|gpkg)$/;

export const ZAE_DOWNLOADS: readonly { path: string; cls: ZaeClass; format: 'csv' | 'gpkg' }[] =
  ZAE_CLASSES.flatMap((cls) => (['csv', 'gpkg'] as const).map((format) => ({ path: `/downloads/zae/${cls}.${format}`, cls, format })));

export function zaeRoutes({ db, layers, config, changes }: RouteDeps): Router {
  const read = createZaeReader(db, layers, config);
  const files = createVersionedMemo<Buffer>();
  const router = new Router();

  router.get('/downloads/zae/:file', async (ctx) => {
    const match = FILE.exec(ctx.params.file ?? '');
    if (!match) throw notFound(`pas de fichier « ${ctx.params.file} » ; voir /downloads / no such file; see /downloads`);
    const cls = match[1] as ZaeClass;
    const format = match[2] as 'csv' | 'gpkg';
    const state = await changes.current();
    const tag = versionTag(state, SOURCES);
    const etag = weakEtag('zae-1', cls, format, tag, config.zaeEpciName, config.zaeEpciSiren);
    const written = lastModified(state, SOURCES);
    if (written) ctx.lastModified = written;
    ctx.set('Cache-Control', 'public, max-age=60');
    if (answerNotModified(ctx, etag)) return;
    const body = await files.get(`${cls}.${format}`, tag, async () => {
      const table = await read(cls);
      if (format === 'csv') return Buffer.from(zaeCsv(table), 'utf8');
      return Buffer.from(await zaeGeoPackage(db, table, (written ?? new Date()).toISOString()));
    });
    ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/geopackage+sqlite3';
    ctx.attachment(`${cls}.${format}`);
    ctx.body = body;
  });

  const siteSql = buildSiteSql(layers);
  const terrainSql = buildTerrainSql();
  router.get('/api/zae/check', requireStaff(db), async (ctx) => {
    const [sites, terrains, siteSource, terrainSource] = await Promise.all([
      read('site-eco'), read('terrain-eco'),
      db.query<SiteSqlRow & Record<string, unknown>>(siteSql), db.query<TerrainSqlRow & Record<string, unknown>>(terrainSql),
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
    };
  });
  return router;
}
