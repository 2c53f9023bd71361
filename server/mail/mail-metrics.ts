// The outgoing-mail queue on /metrics: a mail server that stalls shows as messages sending for long
// and then waiting, before any is dropped for a full queue.
import { Gauge, type Registry } from 'prom-client';
import type { Mailer } from './mailer.ts';

export function registerMailMetrics(registry: Registry, mailer: Mailer): void {
  new Gauge({
    name: 'websig_mail_queue',
    help: 'Outgoing mail messages by state (sending, waiting)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const { running, waiting } = mailer.load();
      this.set({ state: 'sending' }, running);
      this.set({ state: 'waiting' }, waiting);
    },
  });
}
