// Several instances for real on one machine (short form of `npm run bench -- scale`): a primary and a
// streaming replica of our own (initdb + pg_basebackup in a temporary directory), three app
// instances, HAProxy from deploy/haproxy.cfg. Under load an instance is SIGKILLed: no request fails;
// restarted, it rejoins; an edit through one instance shows in a tile through another within a
// second; a session made on one works on all; a burst of reports spread over the instances is cut at
// the one shared limit. Skipped, with the reason, where PostgreSQL's server
// binaries or HAProxy are missing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUnless } from './helpers/skip.ts';
import { missingScaleTools, startScaleCluster, type ScaleCluster } from './helpers/scale-cluster.ts';
import { RATE_LIMIT_BURST, runScaleScenario, type ScaleFigures } from './helpers/scale-scenario.ts';

// Skipped where PostgreSQL's server binaries (initdb, pg_basebackup) or HAProxy are missing, or as root
// without runuser (initdb refuses root); the reason is in the suite's name. CI has them all.
describeUnless(missingScaleTools() ?? null, 'several instances behind HAProxy on a primary and a replica', () => {
  let cluster: ScaleCluster;
  let figures: ScaleFigures;

  beforeAll(async () => {
    cluster = await startScaleCluster({ instances: 3 });
    figures = await runScaleScenario(cluster, { loadSeconds: 5, killAfterS: 2, connections: 8 });
    console.log('scale test figures', JSON.stringify(figures));
  }, 240_000);
  afterAll(async () => cluster?.close(), 60_000);

  it('loses no request when an instance is killed under load (HAProxy retries elsewhere)', () => {
    expect(figures.requests).toBeGreaterThan(0);
    expect(figures.failed_during_kill).toBe(0);
  });

  it('takes the killed instance back once it is restarted', () => {
    expect(figures.rejoined).toBe(true);
  });

  it('shows an edit made through one instance in a tile fetched through another within a second', () => {
    expect(figures.edit_to_tile_ms).toBeLessThan(1000);
  });

  it('keeps a session valid on every instance', () => {
    expect(figures.session_instances).toBe(3);
  });

  it('counts a rate limit across instances: a burst spread over them is cut at the shared limit', () => {
    expect(figures.rate_limit_instances).toBeGreaterThanOrEqual(2);
    expect(figures.rate_limit_other).toEqual([]);
    expect(figures.rate_limit_accepted).toBe(10);
    expect(figures.rate_limit_refused).toBe(RATE_LIMIT_BURST - 10);
  });

  it('reports the replica on /ready with its measured lag', async () => {
    const ready = (await (await fetch(`${cluster.instances[0]!.url}/ready`)).json()) as { replicas: { name: string; lagMs: number | null; usable: boolean }[] };
    expect(ready.replicas).toHaveLength(1);
    expect(ready.replicas[0]!.name).toBe(new URL(cluster.replicaUrl).host);
    expect(ready.replicas[0]!.lagMs).not.toBeNull();
    const metrics = await (await fetch(`${cluster.instances[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(/^websig_replica_lag_ms\{replica="127\.0\.0\.1:\d+"\} \d+/m);
    expect(metrics).toMatch(/^websig_replica_usable\{replica="127\.0\.0\.1:\d+"\} 1/m);
  });
});
