// `npm run bench -- scale`: the scale scenario in full (tests/scale.test.ts is its short form): a
// primary and a pg_basebackup replica of its own in a temporary directory (BENCH_DATABASE_URL is not
// touched), three app instances behind HAProxy (deploy/haproxy.cfg), 8 connections for 20 s through
// HAProxy with one instance SIGKILLed after 8 s, then restarted; an edit through one instance timed
// until a tile through another shows it; a burst of incident reports spread over the instances,
// accepted up to the one shared limit.
import { missingScaleTools, startScaleCluster } from '../tests/helpers/scale-cluster.ts';
import { runScaleScenario } from '../tests/helpers/scale-scenario.ts';
import { CONNECTIONS, DURATION_S } from './lib/load.ts';
import { round } from './lib/stats.ts';

/** When the second instance is killed, in seconds into the load. */
const KILL_AFTER_S = 8;

export async function run(): Promise<Record<string, number | string | boolean>> {
  const missing = missingScaleTools();
  if (missing) throw new Error(`the scale benchmark cannot run here: ${missing}`);
  const cluster = await startScaleCluster({ instances: 3 });
  try {
    const figures = await runScaleScenario(cluster, { loadSeconds: DURATION_S, killAfterS: KILL_AFTER_S, connections: CONNECTIONS });
    return { ...figures, rate_limit_other: figures.rate_limit_other.join(' ') || 'none', rate_limit_shared: figures.rate_limit_accepted === 10 && figures.rate_limit_refused === figures.rate_limit_burst - 10, p99_ms: round(figures.p99_ms), instances: 3, replicas: 1, duration_s: DURATION_S, kill_after_s: KILL_AFTER_S };
  } finally {
    await cluster.close();
  }
}
