// Prometheus gauges of the read replicas: lag and whether reads go to each, read at scrape time.
import { Gauge, type Registry } from 'prom-client';
import type { ReadRouter } from '../../core/db/read-router.ts';

export function registerReplicaMetrics(registry: Registry, router: ReadRouter): void {
  if (!router.hasReplicas) return;
  new Gauge({
    name: 'websig_replica_lag_ms',
    help: 'Upper bound of each read replica\'s lag behind the primary, in ms (absent: not measured)',
    labelNames: ['replica'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of router.status()) if (r.lagMs !== null) this.set({ replica: r.name }, r.lagMs);
    },
  });
  new Gauge({
    name: 'websig_replica_usable',
    help: '1 when public reads go to the replica (it answers and lags within REPLICA_MAX_LAG_MS), else 0',
    labelNames: ['replica'],
    registers: [registry],
    collect() {
      for (const r of router.status()) this.set({ replica: r.name }, r.usable ? 1 : 0);
    },
  });
}
