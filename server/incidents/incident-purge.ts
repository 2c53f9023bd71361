// The RGPD purge: reporters' and followers' details erased a configured number of days after their
// report was closed, checked at start and then on a timer. Any instance may run it: the UPDATE is
// idempotent and row locks keep two runs from touching a report twice.
import type { Logger } from 'pino';
import type { IncidentConfig } from '../../core/config.ts';
import type { Database } from '../../core/db/database.ts';
import { loggableError } from '../http/errors.ts';
import { purgeExpiredReporters } from './incident-store.ts';

/** Runs one purge; returns the number of reports whose reporters' details were erased. */
export function purgeReporters(db: Database, retentionDays: number): Promise<number> {
  return db.transaction((tx) => purgeExpiredReporters(tx, retentionDays));
}

/** Purges now and every `purgeEveryMin` minutes until `stop()`. */
export function startReporterPurge(db: Database, config: IncidentConfig, log: Logger): { stop(): void } {
  const run = () => purgeReporters(db, config.retentionDays).then(
    (count) => { if (count) log.info({ count, retentionDays: config.retentionDays }, 'reporters’ details purged'); },
    (err: Error) => log.error({ err: loggableError(err) }, 'reporters’ details purge failed'),
  );
  void run();
  const timer = setInterval(run, config.purgeEveryMin * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
