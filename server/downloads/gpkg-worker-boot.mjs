// Entry of the GeoPackage worker thread: TypeScript support (tsx) is registered in the thread
// itself, since a worker does not inherit the main thread's module hooks.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
