// `npm run import -- <layer> <file> [options]`: imports a delivery into a layer, with a progress bar
// on a terminal, a one-line summary at the end, and a non-zero exit status when it fails.
// Start-up counts against a small file (ogr2ogr takes 0.17 s for 5,000 points): what only some
// commands need (the progress bar, the lot path, emptying a layer) is loaded by those commands.
import { parseArgs } from 'node:util';
import { loadConfig } from '../core/config.ts';
import { openDatabase, type Database } from '../core/db/database.ts';
import { DataDirLockedError } from '../core/db/embedded.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { MIGRATIONS } from '../migrations/index.ts';
import { checkCatalog } from '../core/layers/catalog-check.ts';
import { formatSummaryLine, IMPORT_MODES, type ImportMode, type ImportProgress, type ImportSummary } from './import-summary.ts';
import { builtInProfiles } from './mapping.ts';
import { formatCount } from './sources/source.ts';
import { LOT_IMPORT_LAYER } from './lot-import-layer.ts';
import { ImportOptionsError, importableLayers, runImport, validateImportOptions, type ImportOptions } from './pipeline.ts';

const USAGE = `usage: npm run import -- <layer> <file> [options]

  <file>  .shp (with its .dbf/.shx/.prj/.cpg), .zip of one or several shapefiles, .geojson, .csv, .gpkg

  --mapping <profile>    built-in profile or JSON mapping file (default: fields matched by name)
  --srs EPSG:<n>         source coordinate system (default: the .prj / the file's own)
  --encoding <enc>       text encoding when neither a .cpg nor the DBF header says (UTF-8, CP1252, ISO-8859-1)
  --mode <mode>          required: replace (the layer becomes the file: features it lacks are deleted)
                         | append (add; rows identical to live ones are skipped) | upsert (by the layer's natural key)
  --yes                  confirm a replace that removes more than 10 % of the layer (look at --dry-run first)

       npm run import -- <layer> --empty --yes [--reason <text>]
                         delete every feature of the layer, recorded in the audit log
  --member <name>        dataset inside a zip, or table inside a GeoPackage
  --dry-run              report what would change (diff, rejected rows) without touching the layer
  --max-errors <n>       rejected rows tolerated before the import fails (default 0)
  --json                 print the whole summary as JSON instead of one line

Environment: DATABASE_URL (PostGIS), else the embedded database in DATA_DIR (default ./data).`;

/** Exit statuses: 0 imported (or dry run ok), 1 import failed, 2 bad command line. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mapping: { type: 'string' },
      srs: { type: 'string' },
      encoding: { type: 'string' },
      mode: { type: 'string' },
      member: { type: 'string' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean' },
      empty: { type: 'boolean' },
      reason: { type: 'string' },
      'max-errors': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function usageError(message: string): number {
  console.error(`${message}\n\n${USAGE}`);
  return EXIT_USAGE;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs, CI, pipes). */
async function progressReporter(): Promise<{ update(p: ImportProgress): void; stop(): void }> {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {percentage}% | {detail}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const label = (n: number, unit: string) => (unit === 'bytes' ? `${(n / 2 ** 20).toFixed(1)} MB` : formatCount(n));
  return {
    update(p) {
      const total = Math.max(p.total, p.done, 1);
      const detail = `${label(p.done, p.unit)} / ${label(total, p.unit)}${p.unit === 'features' ? ' features' : ''}`;
      if (!started) {
        bar.start(total, p.done, { phase: p.phase, detail });
        started = true;
      }
      bar.setTotal(total);
      bar.update(p.done, { phase: p.phase.padEnd(8), detail });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function printReport(summary: ImportSummary): void {
  const facts = [summary.format, summary.member && `member ${summary.member}`, summary.encoding && `encoding ${summary.encoding}`, summary.srs && `srs ${summary.srs}`]
    .filter(Boolean)
    .join(', ');
  if (facts) console.error(`  ${facts}`);
  for (const warning of summary.warnings) console.error(`  warning: ${warning}`);
  if (summary.confirmationRequired) {
    console.error(summary.dryRun ? '  this replace will need --yes' : '  run with --dry-run to see the diff, then again with --yes to confirm');
  }
  for (const error of summary.errors.slice(0, 10)) console.error(`  row ${error.row}: ${error.reason}`);
  if (summary.counts.rejected > 10) console.error(`  … ${summary.counts.rejected - 10} more rejected rows (see run #${summary.id})`);
  console.log(formatSummaryLine(summary));
}

/**
 * Applies pending migrations. An up-to-date database is told by two queries on knex's own
 * bookkeeping table (its default name), without loading knex, which costs a tenth of a second.
 */
async function migrateIfPending(db: Database): Promise<void> {
  const table = await db.query<{ t: string | null }>(`SELECT to_regclass('knex_migrations')::text AS t`);
  if (table.rows[0]!.t) {
    const names = MIGRATIONS.map(([name]) => name);
    const applied = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM knex_migrations WHERE name = ANY($1)', [names]);
    if (applied.rows[0]!.n === names.length) return;
  }
  const { migrateLatest } = await import('../core/db/migrate.ts');
  await migrateLatest(db);
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parse(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const layers = createLayerRegistry();
  if (args.values.help) {
    console.log(`${USAGE}\n\nLayers: ${[...importableLayers(layers).map((l) => l.id), `${LOT_IMPORT_LAYER} (mode upsert, by zone_code and lot_number)`].join(', ')}\nBuilt-in profiles: ${builtInProfiles().join(', ')}`);
    return 0;
  }
  const [layer, file, ...extra] = args.positionals;
  if (args.values.empty) {
    if (!layer || file || extra.length) return usageError('--empty takes a layer and no file');
    if (!args.values.yes) return usageError(`--empty deletes every feature of ${layer}: add --yes to confirm`);
    const { emptyLayer } = await import('./empty-layer.ts');
    return withDatabase(layers.all.filter((l) => l.id === layer), async (db) => {
      const deleted = await emptyLayer(db, layers, { layer, via: 'cli', reason: args.values.reason });
      console.log(`emptied ${layer}: ${deleted} features deleted (recorded in the audit log)`);
      return 0;
    });
  }
  if (!layer || !file || extra.length) return usageError('expected a layer and a file');
  const maxErrors = args.values['max-errors'] === undefined ? 0 : Number(args.values['max-errors']);
  const mode = args.values.mode as ImportMode | undefined;
  if (mode === undefined || !IMPORT_MODES.includes(mode)) {
    return usageError(`--mode ${mode === undefined ? 'is required' : `"${mode}" is unknown`}: replace, append or upsert`);
  }
  const abort = new AbortController();
  const progress = await progressReporter();
  const options: ImportOptions = {
    layer, file, mode, maxErrors,
    mapping: args.values.mapping, srs: args.values.srs, encoding: args.values.encoding, member: args.values.member,
    dryRun: args.values['dry-run'] ?? false,
    confirmed: args.values.yes ?? false,
    onProgress: (p) => progress.update(p),
    signal: abort.signal,
    onServerFault: (error) => console.error(`  server error: ${(error as Error).stack ?? String(error)}`),
  };
  // Lots have an import path of their own, keyed on (zone code, lot number).
  const lotImport = layer === LOT_IMPORT_LAYER;
  try {
    if (!lotImport) validateImportOptions(layers, options);
  } catch (error) {
    if (error instanceof ImportOptionsError) return usageError(error.message);
    throw error;
  }

  // Ctrl-C stops at the next step; the live layer is untouched and the run marked cancelled.
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const run = lotImport ? (await import('./lot-import.ts')).runLotImport : runImport;
  // The layers the import reads or writes: the lots' path also looks their zones up.
  const touched = lotImport ? layers.all : layers.all.filter((l) => l.id === layer);
  return withDatabase(touched, async (db) => {
    const summary = await run(db, layers, options);
    progress.stop();
    if (args.values.json) console.log(JSON.stringify(summary, null, 2));
    else printReport(summary);
    return summary.status === 'succeeded' ? 0 : EXIT_FAILED;
  }).finally(() => progress.stop());
}

/**
 * Opens the configured database, applies pending migrations and checks the tables of `layers`
 * against their descriptions (never the demo seed: this database is being given real data), runs
 * `work`, closes. Only the layers the command touches are checked: a drift elsewhere cannot harm
 * it (the server checks them all when it starts).
 */
async function withDatabase(layers: readonly LayerDef[], work: (db: Database) => Promise<number>): Promise<number> {
  const config = loadConfig();
  let db: Database;
  try {
    db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    // The embedded database is held by a running server: say so plainly (its message is in French).
    if (error instanceof DataDirLockedError) {
      console.error(error.message);
      return EXIT_FAILED;
    }
    throw error;
  }
  try {
    await migrateIfPending(db);
    // One statement (catalog-check.ts), on the connection the migration check opened.
    await checkCatalog(db, layers);
    return await work(db);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`import failed: ${error.message}`);
    process.exit(EXIT_FAILED);
  },
);
