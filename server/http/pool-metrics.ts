// Prometheus gauges of the primary database's connection pool, read at scrape time: how full it is and
// how many requests wait for a connection (the first sign of saturation, before 503s).
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../core/db/database.ts';

export function registerPoolMetrics(registry: Registry, db: Database): void {
  new Gauge({
    name: 'websig_db_pool_connections',
    help: 'Connections of the database pool, by state (in_use, idle) and its size limit (max)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const usage = db.poolUsage();
      this.set({ state: 'in_use' }, usage.inUse);
      this.set({ state: 'idle' }, usage.idle);
      this.set({ state: 'max' }, usage.max);
    },
  });
  new Gauge({
    name: 'websig_db_pool_waiting',
    help: 'Requests waiting for a database connection',
    registers: [registry],
    collect() {
      this.set(db.poolUsage().waiting);
    },
  });
}
