// The import command's JavaScript build, and whether it may be run. tsx costs the command about
// 0.4 s of CPU at start-up (its loader thread, then a transform per module), most of what a small
// file takes, so `npm install` (the prepare script) bundles the CLI and the modules it imports
// into one CommonJS file, dist/cli/cli.cjs, with esbuild (tsx's own), and `npm run import` runs
// that build only while every source it was made from is unchanged, with a V8 code cache
// (cli-code-cache.mjs): a developer editing sources gets them through tsx.
// Plain JavaScript: it decides, before any TypeScript loader is there, which one is needed.
// `node data-import/cli-build.mjs` builds.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'data-import/cli.ts';
/** The build's one file, in the output directory. */
const OUTPUT = 'cli.cjs';
/** Where the build goes, under the repository (.gitignored). */
export const DEFAULT_OUTDIR = join(ROOT, 'dist', 'cli');
/** What the build was made from, written last: a build without it is unfinished. */
const MANIFEST = 'build-manifest.json';

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The sources' `import.meta.url` made to name the source file itself, relative to the output:
 * code that finds files next to its source (mapping profiles, the PGlite worker, the communes
 * GeoJSON) finds them from dist/ too, wherever the checkout is.
 */
function sourceUrlPlugin(outdir) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        // Node's newer forms would name dist/ silently.
        if (/import\.meta\.(dirname|filename)/.test(text)) {
          throw new Error(`${relative(ROOT, args.path)}: use new URL(…, import.meta.url), which the build keeps naming the source, not import.meta.dirname or .filename`);
        }
        const fromOutput = relative(outdir, args.path).split('\\').join('/');
        const url = `new URL(${JSON.stringify(fromOutput)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/**
 * Packages bundled with our modules: pg's forty-odd CommonJS files cost Node's loader about 5 ms
 * to find and compile one by one at every start. Their files are among the build's inputs, so an
 * update of them makes the build stale like a change of ours. Every other package stays in
 * node_modules, loaded only by the formats and commands that need it.
 */
const BUNDLED_PACKAGES = new Set(['pg', 'pg-copy-streams']);

/** The packages left out of the bundle: every one we depend on but those bundled, and pg's
 *  optional ones, absent here (a native driver, Cloudflare's sockets). */
function externalPackages() {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
  return [...declared.filter((name) => !BUNDLED_PACKAGES.has(name)), 'pg-native', 'pg-cloudflare'];
}

/**
 * Bundles the CLI into `outdir`/cli.cjs: our modules and BUNDLED_PACKAGES in one CommonJS file
 * (V8 caches a script's code, not an ES module's, on Node 20). The modules it loads on demand stay
 * on demand: esbuild runs each one's body when its import() is reached. Built beside and renamed
 * into place, the manifest written last.
 */
export async function buildCli({ outdir = DEFAULT_OUTDIR } = {}) {
  const { build } = await import('esbuild');
  const target = resolve(outdir);
  const staging = `${target}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    outfile: join(staging, OUTPUT),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: externalPackages(),
    // import() of a package left out, written as require(): a script compiled through vm, as
    // cli-code-cache.mjs does, has no import() on Node 20 without an experimental flag, and every
    // package of ours can be required.
    supported: { 'dynamic-import': false },
    // The URL the sources' import.meta.url stands for (see sourceUrlPlugin): the output file's.
    // Strict mode first, as in the modules the sources are: a statement before esbuild's own
    // "use strict" would make that a plain string and the whole file sloppy.
    define: { 'import.meta.url': '__cliFileUrl' },
    banner: { js: "'use strict';\nconst __cliFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    plugins: [sourceUrlPlugin(target)],
  });
  // This file and the loader that runs the build are inputs too: a change to how it is built or
  // run makes it stale.
  const runners = [import.meta.url, new URL('./cli-code-cache.mjs', import.meta.url)].map((url) => relative(ROOT, fileURLToPath(url)));
  const sources = [...Object.keys(result.metafile.inputs), ...runners];
  const inputs = Object.fromEntries(sources.sort().map((path) => {
    const { mtimeMs, size } = statSync(join(ROOT, path));
    return [path, { mtimeMs, size, sha256: sha256(join(ROOT, path)) }];
  }));
  // The build file's own digest names its code cache (cli-code-cache.mjs).
  const entrySha256 = sha256(join(staging, OUTPUT));
  writeFileSync(join(staging, MANIFEST), JSON.stringify({ entry: OUTPUT, entrySha256, inputs }, null, 1) + '\n');
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return { outdir: target, inputs: sources };
}

/**
 * The build's entry as a file URL when it was made from the sources as they are now, else
 * undefined. A source whose time and size are those recorded is unchanged (a stat each, about a
 * millisecond for all); one touched since (a checkout, an editor's save without a change) is
 * compared by content before the build is given up.
 */
export function freshBuildEntry({ outdir = DEFAULT_OUTDIR } = {}) {
  const build = freshBuild(outdir);
  return build && pathToFileURL(build.file).href;
}

/** The fresh build's file and the digest recorded for it, or undefined (see freshBuildEntry). */
function freshBuild(outdir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outdir, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
  // A manifest of another shape (another version of this script) describes no build we can trust.
  if (typeof manifest?.entry !== 'string' || typeof manifest.entrySha256 !== 'string' || typeof manifest.inputs !== 'object' || manifest.inputs === null) {
    return undefined;
  }
  for (const [path, recorded] of Object.entries(manifest.inputs)) {
    const file = join(ROOT, path);
    const now = statSync(file, { throwIfNoEntry: false });
    if (!now || now.size !== recorded.size) return undefined;
    if (now.mtimeMs !== recorded.mtimeMs && sha256(file) !== recorded.sha256) return undefined;
  }
  return { file: join(outdir, manifest.entry), sha256: manifest.entrySha256 };
}

/** Options that stop a run short of the functions a whole import runs (--help, a dry run,
 *  --empty): such a run leaves no code cache, which would lack them for good. */
const partialRun = (arg) => ['--help', '-h', '--dry-run', '--empty'].includes(arg);

/**
 * Runs the import command in this process (signals reach the import itself): the build in
 * `outdir` when it is fresh, with its code cache, else the sources through tsx.
 */
export async function runImportCommand({ outdir = DEFAULT_OUTDIR } = {}) {
  const built = freshBuild(outdir);
  if (built) {
    const { runWithCodeCache } = await import('./cli-code-cache.mjs');
    const args = process.argv.slice(2);
    runWithCodeCache(built.file, { buildSha256: built.sha256, write: !args.some(partialRun) });
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir, inputs } = await buildCli();
  console.log(`import command built into ${relative(process.cwd(), outdir) || '.'} (${inputs.length} sources)`);
}
