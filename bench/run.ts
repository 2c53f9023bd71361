// `npm run bench [-- <suite>]`: runs one benchmark suite or all, each against the PostGIS named by
// BENCH_DATABASE_URL, and writes each suite's figures to bench/results/<suite>.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What every suite module (`bench/<suite>.bench.ts`) exports. */
export interface BenchSuite {
  /** Runs the suite and returns its flat figures (keys named in the issues). */
  run(databaseUrl: string): Promise<Record<string, number | string | boolean>>;
}

const SUITES = ['tiles', 'features', 'import', 'eligibility', 'web', 'soak', 'scale', 'region'] as const;

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) {
    console.error('BENCH_DATABASE_URL is not set: the benchmarks fill and wipe a PostGIS database of their own; ' +
      'set it to one they may use (e.g. postgres://user:pass@127.0.0.1:5432/websig_bench). Nothing was run.');
    process.exit(2);
  }
  const asked = process.argv[2];
  if (asked && !SUITES.includes(asked as (typeof SUITES)[number])) {
    console.error(`unknown suite "${asked}"; suites: ${SUITES.join(', ')}`);
    process.exit(2);
  }
  const available = SUITES.filter((s) => existsSync(fileURLToPath(new URL(`./${s}.bench.ts`, import.meta.url))));
  const suites = asked ? [asked] : available;
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  for (const suite of suites) {
    if (!available.includes(suite as (typeof SUITES)[number])) {
      console.error(`suite "${suite}" is not written yet`);
      process.exitCode = 2;
      continue;
    }
    console.log(`\n### bench ${suite}`);
    const module = (await import(`./${suite}.bench.ts`)) as BenchSuite;
    const figures = await module.run(databaseUrl);
    writeFileSync(`${resultsDir}${suite}.json`, JSON.stringify(figures, null, 2) + '\n');
    console.log(JSON.stringify(figures, null, 2));
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
