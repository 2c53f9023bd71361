// Entry of an import job's process: TypeScript support (tsx) is registered here, since the server
// starts the process with plain node (its own loader flags are not passed on).
import './node-navigator.mjs';
import { register } from 'tsx/esm/api';

register();
await import('./import-job.ts');
