// Runs the import command's build (cli.cjs) with a V8 code cache. Compiling its half-megabyte of
// JavaScript, then each function the first time it is called, is work every run repeats: the
// cache, written by the first whole import after a build, hands V8 the compiled code instead
// (about 30 ms less of a 5,000-point import's 0.3 s, bench/import.bench.ts).
// V8 trusts a cache too far to be handed one blindly: it refuses one made by another V8 or under
// other flags, but checks nothing of the source but its length (a cache of another build of the
// same length runs that build's code), and a release build verifies no checksum (damaged bytes
// crash the process, or run). So the cache is named after the build's digest (recorded in the
// manifest when it was built), its file's size and time, Node's version and flags, and carries a
// digest of its own bytes, checked before V8 sees them.
// Plain JavaScript, like cli-build.mjs, which calls it.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/** What a cache file starts with: this tag (its format), then the SHA-256 of the V8 data after it. */
const MAGIC = Buffer.from('websig-code-cache-1\n');
const DIGEST_BYTES = 32;

/**
 * Runs the CommonJS build `file` (whose SHA-256 the manifest gives as `buildSha256`) as Node would,
 * with the code cache beside it when there is a sound one that V8 accepts. Without one, and when
 * `write` is set, the cache is written as the process exits with status 0, so it holds every
 * function a whole run compiled. With source maps on (--enable-source-maps), the file is simply
 * required: code run from vm.Script would lose its stack traces' mapping to the sources.
 */
export function runWithCodeCache(file, { buildSha256, write }) {
  const require = createRequire(file);
  if (process.sourceMapsEnabled) {
    require(file);
    return;
  }
  // Read and measured through one descriptor: the size and time name the bytes compiled.
  const fd = openSync(file, 'r');
  let source;
  let stat;
  try {
    stat = fstatSync(fd);
    source = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const flags = fnv1a([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0'));
  const name = [process.version, process.arch, flags, buildSha256.slice(0, 16), stat.size, Math.trunc(stat.mtimeMs)].join('-');
  const cacheFile = join(dirname(file), `code-cache-${name}.bin`);
  const cachedData = readCache(cacheFile);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  if (!accepted && write) process.once('exit', (code) => code === 0 && saveCache(script, cacheFile));
  const module = new Module(file);
  module.filename = file;
  script.runInThisContext()(module.exports, require, module, file, dirname(file));
}

/** The V8 data of a cache file whose digest matches its bytes; undefined for none, or a damaged one. */
function readCache(cacheFile) {
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const start = MAGIC.length + DIGEST_BYTES;
  if (bytes.length <= start || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = bytes.subarray(start);
  const digest = createHash('sha256').update(data).digest();
  return digest.equals(bytes.subarray(MAGIC.length, start)) ? data : undefined;
}

/** FNV-1a (32 bits) of `text`, in hex: a short name for a set of flags. */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Written beside under a name no other writer uses, then renamed into place: a concurrent run
 *  reads a whole cache or none. A build directory the user cannot write to (an installed copy)
 *  runs without one. */
function saveCache(script, cacheFile) {
  const partial = `${cacheFile}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    const data = script.createCachedData();
    writeFileSync(partial, Buffer.concat([MAGIC, createHash('sha256').update(data).digest(), data]));
    renameSync(partial, cacheFile);
  } catch {
    // Not written: the next run compiles, as this one did.
    rmSync(partial, { force: true });
  }
}
