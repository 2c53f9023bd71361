// Runs the import command's build (cli.cjs) with a V8 code cache. Compiling its half-megabyte of
// JavaScript, then each function the first time it is called, is work every run repeats: the
// cache, written by the first import after a build, hands V8 the compiled code instead (about
// 30 ms less of a 5,000-point import's 0.3 s, bench/import.bench.ts). V8 refuses a cache made by
// another V8 or under other flags, and checks the source's length only: the cache is named after
// the build file's size and time, so an edited build never meets the code of the old one, and
// after Node's version and flags, so two ways of running it (a profiler's, say) keep a cache each
// instead of replacing each other's at every run.
// Plain JavaScript, like cli-build.mjs, which calls it.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Runs the CommonJS file `file` as Node would, with the code cache beside it when there is one
 * that V8 accepts. Without one, and when `write` is set, the cache is written as the process exits
 * with status 0, so it holds every function a whole run compiled (a failed or interrupted import
 * stops short of some).
 */
export function runWithCodeCache(file, { write }) {
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  const flags = hash([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0'));
  const cacheFile = join(dirname(file), `code-cache-${process.version}-${process.arch}-${flags}-${size}-${Math.trunc(mtimeMs)}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The build holds no import() (cli-build.mjs): a script compiled here has none on Node 20.
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  if (!accepted && write) process.once('exit', (code) => code === 0 && saveCache(script, cacheFile));
  const module = new Module(file);
  module.filename = file;
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}

/** FNV-1a (32 bits) of `text`, in hex: a short name for a set of flags. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Written beside and renamed into place: a concurrent run reads a whole cache or none. A build
 *  directory the user cannot write to (an installed copy) runs without one. */
function saveCache(script, cacheFile) {
  const partial = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, cacheFile);
  } catch {
    // Not written: the next run compiles, as this one did.
    rmSync(partial, { force: true });
  }
}
