// Drives the GeoPackage worker: sends the layer's schema, then its rows batch by batch (waiting
// for each to be stored, so rows never pile up in memory), and returns the finished file.
import { Worker } from 'node:worker_threads';
import type { GpkgLayerSpec } from './gpkg-schema.ts';

/** One feature for the GeoPackage: id, WKB geometry with its envelope, attribute values in column order. */
export interface GpkgRow {
  fid: number;
  wkb: Uint8Array;
  /** [minX, maxX, minY, maxY] (only stored in the geometry header when the layer is not of points). */
  envelope: [number, number, number, number];
  values: (string | number | null)[];
}

export type ToGpkgWorker =
  | { type: 'init'; spec: GpkgLayerSpec }
  | { type: 'rows'; rows: GpkgRow[] }
  | { type: 'finish' };

export type FromGpkgWorker =
  | { type: 'ack' }
  | { type: 'done'; bytes: Uint8Array }
  | { type: 'error'; message: string };

const BOOT = new URL('./gpkg-worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./gpkg.worker.ts', import.meta.url).href;

function nextMessage(worker: Worker): Promise<FromGpkgWorker> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: FromGpkgWorker) => {
      cleanup();
      if (m.type === 'error') reject(new Error(`GeoPackage worker: ${m.message}`));
      else resolve(m);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`GeoPackage worker exited with code ${code}`));
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/** Builds the GeoPackage of `spec` from the row batches; the worker is gone when this settles. */
export async function buildGeoPackage(spec: GpkgLayerSpec, batches: AsyncIterable<GpkgRow[]>): Promise<Uint8Array> {
  const worker = new Worker(BOOT, { workerData: { entry: ENTRY }, execArgv: [] });
  const send = async (message: ToGpkgWorker) => {
    const answer = nextMessage(worker);
    worker.postMessage(message);
    return answer;
  };
  try {
    await send({ type: 'init', spec });
    for await (const rows of batches) await send({ type: 'rows', rows });
    const done = await send({ type: 'finish' });
    if (done.type !== 'done') throw new Error('GeoPackage worker: no file at the end');
    return done.bytes;
  } finally {
    await worker.terminate();
  }
}
