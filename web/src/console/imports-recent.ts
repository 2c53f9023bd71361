// The list of recent imports (GET /api/imports): who imported what, when, and how it ended.
import type { ImportJob } from '../../../data-import/import-summary.ts';
import { ApiError, messageIn, type StaffApi } from './staff-api.ts';
import { el, formatDateTime, type Texts } from './panel-dom.ts';
import type { ImportsKey } from './imports-strings.ts';
import { formatOutcome } from './imports-outcome.ts';

/** Imports listed. */
const RECENT_LIMIT = 20;

export class RecentImports {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private jobs: ImportJob[] = [];
  private failure: string | null = null;

  constructor(
    private readonly api: StaffApi,
    private readonly texts: Texts<ImportsKey>,
    private readonly titleOf: (layer: string) => string,
  ) {
    const refresh = texts.text('button', 'recentRefresh', { type: 'button', class: 'secondary-button' });
    refresh.addEventListener('click', () => void this.load());
    this.body = el('div', { class: 'import-recent-body' });
    this.element = el(
      'section',
      { class: 'import-recent', 'aria-labelledby': 'import-recent-heading' },
      el('div', { class: 'console-section-head' }, texts.text('h3', 'recentHeading', { id: 'import-recent-heading' }), refresh),
      this.body,
    );
  }

  async load(): Promise<void> {
    try {
      const { body } = await this.api.get<{ imports: ImportJob[] }>(`/api/imports?limit=${RECENT_LIMIT}`);
      this.jobs = body.imports;
      this.failure = null;
    } catch (error) {
      this.failure = error instanceof ApiError ? messageIn(this.texts.current, error.message) : String(error);
    }
    this.render();
  }

  /** Redrawn on a language switch too: dates and numbers follow the reader's language. */
  render(): void {
    const { texts } = this;
    this.body.replaceChildren();
    if (this.failure !== null) {
      this.body.append(texts.text('p', 'recentError', { role: 'alert' }, { reason: this.failure }));
      return;
    }
    if (!this.jobs.length) {
      this.body.append(texts.text('p', 'recentEmpty'));
      return;
    }
    const head = el('tr', {}, ...(['colId', 'colDate', 'colLayer', 'colFile', 'colMode', 'colStatus', 'colResult'] as const).map((k) => texts.text('th', k, { scope: 'col' })));
    const rows = this.jobs.map((job) =>
      el(
        'tr',
        { 'data-import-id': job.id ?? '' },
        el('td', {}, String(job.id ?? '')),
        el('td', {}, formatDateTime(texts.current, job.startedAt)),
        el('td', {}, this.titleOf(job.layer)),
        el('td', { class: 'import-file' }, job.file),
        el('td', {}, `${texts.t(`modeName_${job.mode}` as ImportsKey)}${job.dryRun ? ` ${texts.t('dryRunTag')}` : ''}`),
        el('td', { 'data-status': job.status }, texts.t(`status_${job.status}` as ImportsKey)),
        el('td', {}, formatOutcome(texts, job)),
      ),
    );
    this.body.append(el('div', { class: 'console-table-wrap' }, el('table', { class: 'console-table' }, el('thead', {}, head), el('tbody', {}, ...rows))));
    texts.prune();
  }
}
