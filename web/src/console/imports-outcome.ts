// A run's result in a few words for lists: "+12 ~3 −1" (added, changed, removed), or its counts.
import type { ImportJob } from '../../../data-import/import-summary.ts';
import type { Texts } from './panel-dom.ts';
import type { ImportsKey } from './imports-strings.ts';

export function formatOutcome(texts: Texts<ImportsKey>, job: ImportJob): string {
  const number = (n: number) => n.toLocaleString(texts.current === 'fr' ? 'fr-FR' : 'en-GB');
  if (job.status === 'succeeded' && !job.dryRun) return `+${number(job.written.inserted)} ~${number(job.written.updated)} −${number(job.written.deleted)}`;
  if (job.diff) return `+${number(job.diff.added)} ~${number(job.diff.changed)} −${number(job.diff.removed)}`;
  const c = job.counts;
  return texts.t('diffCounts', { read: c.read, loaded: c.loaded, repaired: c.repaired, rejected: c.rejected });
}
