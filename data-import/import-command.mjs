// `npm run import` (started by import-command.sh): the CLI's build when it matches the sources, else the sources through tsx
// (see cli-build.mjs).
import './node-navigator.mjs';
import { runImportCommand } from './cli-build.mjs';

await runImportCommand();
