// An import job's process: runs the pipeline for one queued run, on its own connections
// (PostGIS) or through the server (embedded database), and tells the server how it ended.
// Reading, unzipping and parsing happen here, in a heap of their own, never on the server's loop.
import { openDatabase } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { bridgeDatabase } from './job-database.ts';
import type { FromJob, JobSpec, ToJob } from './job-protocol.ts';
import { LOT_IMPORT_LAYER } from './lot-import-layer.ts';
import { runImport } from './pipeline.ts';
import type { ImportDatabase } from './stage-loader.ts';

const send = (message: FromJob) => process.send!(message);

// The server is gone: stop at once. An open transaction dies with its connection, uncommitted.
process.on('disconnect', () => process.exit(1));

async function run(spec: JobSpec): Promise<FromJob> {
  const layers = createLayerRegistry();
  let serverError: unknown;
  let db: ImportDatabase & { close?(): Promise<void> };
  if (spec.database.kind === 'postgis') {
    // No pool wait bound and no statement limit: this process is the import's own.
    db = await openDatabase({ url: spec.database.url, dataDir: '', poolSize: 2, poolWaitMs: 0 });
  } else {
    const bridge = bridgeDatabase(send);
    process.on('message', (m: ToJob) => bridge.receive(m));
    db = bridge;
  }
  try {
    // Lots have an import path of their own, keyed on (zone code, lot number).
    const run = spec.options.layer === LOT_IMPORT_LAYER ? (await import('./lot-import.ts')).runLotImport : runImport;
    const summary = await run(db, layers, { ...spec.options, onServerFault: (error) => (serverError = error) });
    return { type: 'done', summary, serverError: serverError === undefined ? undefined : wire(serverError) };
  } finally {
    await db.close?.();
  }
}

function wire(error: unknown): { message: string; stack?: string; code?: string } {
  const e = error as { message?: string; stack?: string; code?: unknown };
  return { message: e?.message ?? String(error), stack: e?.stack, code: typeof e?.code === 'string' ? e.code : undefined };
}

process.once('message', (message: ToJob) => {
  if (message.type !== 'start') return;
  run(message.spec)
    .catch((error: unknown): FromJob => ({ type: 'done', serverError: wire(error) }))
    .then((done) => process.send!(done, undefined, {}, () => process.exit(0)));
});
