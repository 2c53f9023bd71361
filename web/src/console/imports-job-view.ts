// How an import job is shown: its step and progress while it runs, the dry run's diff (counts,
// value changes, sample keys) and the final report with the rejected rows, in the reader's language.
import type { ImportDiff, ImportJob } from '../../../data-import/import-summary.ts';
import { messageIn } from './staff-api.ts';
import { el, type Texts } from './panel-dom.ts';
import type { ImportsKey } from './imports-strings.ts';

type T = Texts<ImportsKey>;

/** Rejected rows listed on screen (all are counted). */
const SHOWN_ERRORS = 50;

/** The step and a progress bar (determinate when the total is known). */
export function renderProgress(texts: T, job: ImportJob): HTMLElement {
  const { done, total, unit } = job.progress;
  const bar = el('progress', { max: total > 0 ? total : undefined, value: total > 0 ? Math.min(done, total) : undefined, 'aria-labelledby': 'import-phase' });
  const line =
    unit === 'bytes' && total > 0
      ? texts.text('p', 'progressBytes', {}, { percent: Math.floor((100 * done) / total) })
      : total > 0
        ? texts.text('p', 'progressFeatures', {}, { done, total })
        : texts.text('p', 'progressFeaturesOpen', {}, { done });
  const phase = el('p', { id: 'import-phase', class: 'import-phase' });
  texts.bind(phase, 'phase', { phase: texts.t(`phase_${job.phase}` as ImportsKey) });
  return el('div', { class: 'import-progress' }, phase, bar, line);
}

function countCell(texts: T, key: ImportsKey, value: number, name: string): HTMLElement {
  return el('tr', { 'data-count': name }, texts.text('th', key, { scope: 'row' }), el('td', {}, value.toLocaleString(texts.current === 'fr' ? 'fr-FR' : 'en-GB')));
}

/** Features the import removes: a dry run's diff already counts them for a replace. */
export function removedBy(diff: ImportDiff | null): number {
  return diff?.removed ?? 0;
}

/** The dry run's diff: a table of counts, value changes per column and sample keys. */
export function renderDiff(texts: T, job: ImportJob): HTMLElement {
  const diff = job.diff;
  const section = el('section', { class: 'import-diff', 'aria-labelledby': 'import-diff-heading' }, texts.text('h3', 'diffHeading', { id: 'import-diff-heading' }));
  const c = job.counts;
  section.append(texts.text('p', 'diffCounts', { class: 'import-counts' }, { read: c.read, loaded: c.loaded, repaired: c.repaired, rejected: c.rejected }));
  if (!diff) return section;
  const rows = el('tbody');
  rows.append(countCell(texts, 'diffAdded', diff.added, 'added'));
  if (diff.key) rows.append(countCell(texts, 'diffChanged', diff.changed, 'changed'), countCell(texts, 'diffUnchanged', diff.unchanged, 'unchanged'));
  rows.append(countCell(texts, 'diffRemoved', diff.removed, 'removed'));
  if (diff.absent > diff.removed) rows.append(countCell(texts, 'diffKept', diff.absent - diff.removed, 'kept'));
  section.append(el('table', { class: 'import-diff-counts' }, rows));
  if (!diff.key) section.append(texts.text('p', 'diffNoKey', { class: 'console-hint' }));
  for (const [column, changes] of Object.entries(diff.transitions)) {
    const list = el('ul');
    for (const [change, count] of Object.entries(changes)) list.append(el('li', {}, `${change}${texts.current === 'fr' ? ' : ' : ': '}${count}`));
    section.append(texts.text('h4', 'diffTransitions', {}, { column }), list);
  }
  for (const kind of ['added', 'changed', 'absent'] as const) {
    const keys = diff.samples[kind];
    if (!keys.length) continue;
    const label = kind === 'added' ? 'diffAdded' : kind === 'changed' ? 'diffChanged' : diff.removed ? 'diffRemoved' : 'diffKept';
    const heading = el('h4');
    texts.bind(heading, 'diffSamples', { kind: texts.t(label) });
    section.append(heading, el('p', { class: 'import-samples' }, keys.join(', ')));
  }
  return section;
}

/** The end of a run: what it did or why it failed, rejected rows, warnings and how fields were filled. */
export function renderReport(texts: T, job: ImportJob): HTMLElement {
  const section = el('section', { class: 'import-report', 'aria-labelledby': 'import-report-heading' }, texts.text('h3', 'reportHeading', { id: 'import-report-heading' }));
  const outcome = el('p', { class: `import-outcome import-outcome-${job.status}`, 'data-status': job.status });
  if (job.status === 'succeeded') {
    if (job.dryRun) texts.bind(outcome, 'reportDryRun');
    else texts.bind(outcome, 'reportSucceeded', { ...job.written });
  } else if (job.status === 'cancelled') texts.bind(outcome, 'reportCancelled');
  else if (job.fault === 'server') texts.bind(outcome, 'reportFailedServer', { id: job.id ?? '?' });
  else texts.bind(outcome, 'reportFailedFile');
  section.append(outcome);
  const c = job.counts;
  section.append(texts.text('p', 'diffCounts', { class: 'import-counts' }, { read: c.read, loaded: c.loaded, repaired: c.repaired, rejected: c.rejected }));
  if (job.message && job.status !== 'succeeded') {
    // The pipeline words its reasons in English (naming fields and rows); shown as given.
    section.append(texts.text('p', 'reportReason', { class: 'import-reason' }, { message: messageIn(texts.current, job.message) }));
  }
  if (job.errors.length) {
    const list = el('ul', { class: 'import-errors' });
    for (const error of job.errors.slice(0, SHOWN_ERRORS)) list.append(texts.text('li', 'reportRow', {}, { row: error.row, reason: error.reason }));
    section.append(texts.text('h4', 'reportErrors'), list);
  }
  if (job.warnings.length) {
    const list = el('ul', { class: 'import-warnings' });
    for (const warning of job.warnings) list.append(el('li', {}, warning));
    section.append(texts.text('h4', 'reportWarnings'), list);
  }
  if (job.fields.length) {
    const details = el('details', {}, texts.text('summary', 'reportFields'), el('ul', {}, ...job.fields.map((f) => el('li', {}, f))));
    section.append(details);
  }
  return section;
}
