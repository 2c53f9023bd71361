// The console's Imports tab: choose a layer, a file and a mode (none chosen by default), upload it
// as a dry run with its progress, read the diff, then confirm (the same file uploaded for real) or
// cancel; the job is followed step by step to its report. Recent imports are listed below.
import './imports-accounts.css';
import type { Lang } from '../api.ts';
import type { ImportJob, ImportMode } from '../../../data-import/import-summary.ts';
import type { ImportTarget } from '../../../server/imports/import-targets.ts';
import type { ConsoleContext, ConsolePanel } from './panel.ts';
import { ApiError, messageIn } from './staff-api.ts';
import { confirmDialog } from './confirm-dialog.ts';
import { el, setFieldError, Texts } from './panel-dom.ts';
import { importsText, type ImportsKey } from './imports-strings.ts';
import { removedBy, renderDiff, renderProgress, renderReport } from './imports-job-view.ts';
import { RecentImports } from './imports-recent.ts';

/** How often a running job is read back. */
const POLL_MS = 700;
const MODE_KEYS: Record<ImportMode, ImportsKey> = { replace: 'modeReplace', append: 'modeAppend', upsert: 'modeUpsert' };
const SRS = /^EPSG:\d{4,6}$/i;

/** What the person asked for, kept to upload the same file again once the diff is confirmed. */
interface ImportRequest {
  target: ImportTarget;
  file: File;
  mode: ImportMode;
  mapping: string;
  srs: string;
}

type View =
  | { kind: 'idle' }
  | { kind: 'uploading'; percent: number }
  | { kind: 'running'; job: ImportJob; stopping: boolean }
  | { kind: 'diff'; job: ImportJob }
  | { kind: 'report'; job: ImportJob }
  | { kind: 'message'; key: ImportsKey };

/** The Imports tab, for staff and admins. */
export const importsPanel: ConsolePanel = {
  id: 'imports',
  label: { fr: importsText('fr', 'tab'), en: importsText('en', 'tab') },
  roles: ['staff', 'admin'],
  mount(root, context) {
    const panel = new ImportsPanel(root, context);
    void panel.start();
    return { relabel: (lang: Lang) => panel.relabel(lang) };
  },
};

class ImportsPanel {
  private readonly texts: Texts<ImportsKey>;
  private targets: ImportTarget[] = [];
  private request: ImportRequest | null = null;
  private view: View = { kind: 'idle' };
  /** Bumped whenever a job stops being followed (a new one, a reset), so a stale poll stops. */
  private following = 0;

  private readonly form: HTMLFormElement;
  private readonly layer: HTMLSelectElement;
  private readonly file: HTMLInputElement;
  private readonly modes: HTMLFieldSetElement;
  private readonly mapping: HTMLSelectElement;
  private readonly srs: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly formError: HTMLElement;
  private readonly errors: Record<'layer' | 'file' | 'mode' | 'srs', HTMLElement>;
  private readonly status: HTMLElement;
  private readonly recent: RecentImports;

  constructor(
    root: HTMLElement,
    private readonly context: ConsoleContext,
  ) {
    const texts = (this.texts = new Texts(importsText, context.lang()));
    const error = (name: string) => el('p', { id: `import-${name}-error`, class: 'field-error', hidden: true });
    this.errors = { layer: error('layer'), file: error('file'), mode: error('mode'), srs: error('srs') };
    this.layer = el('select', { id: 'import-layer', name: 'layer', required: true });
    this.file = el('input', { id: 'import-file', name: 'file', type: 'file', required: true, accept: '.zip,.shp,.geojson,.json,.csv,.txt,.gpkg' });
    this.modes = el('fieldset', { id: 'import-mode', class: 'import-modes', 'aria-required': 'true' });
    this.mapping = el('select', { id: 'import-mapping', name: 'mapping' });
    this.srs = el('input', { id: 'import-srs', name: 'srs', type: 'text', autocomplete: 'off', spellcheck: 'false', inputmode: 'text' });
    this.submit = texts.text('button', 'analyse', { type: 'submit', class: 'primary-button' });
    this.formError = el('p', { id: 'import-form-error', class: 'form-error', role: 'alert', hidden: true });
    this.form = el(
      'form',
      { class: 'console-form import-form', novalidate: true, 'aria-labelledby': 'imports-heading' },
      el('div', { class: 'field' }, texts.text('label', 'layer', { for: 'import-layer' }), this.layer, this.errors.layer),
      el('div', { class: 'field' }, texts.text('label', 'file', { for: 'import-file' }), this.file, this.errors.file),
      el('div', { class: 'field' }, this.modes, this.errors.mode),
      el('div', { class: 'field' }, texts.text('label', 'mapping', { for: 'import-mapping' }), this.mapping),
      el('div', { class: 'field' }, texts.text('label', 'srs', { for: 'import-srs' }), this.srs, this.errors.srs),
      this.formError,
      el('div', { class: 'button-row' }, this.submit),
    );
    this.status = el('div', { class: 'import-status', 'aria-live': 'polite' });
    this.recent = new RecentImports(context.api, texts, (layer) => this.titleOf(layer));
    root.replaceChildren(
      el(
        'section',
        { class: 'imports-panel', 'aria-labelledby': 'imports-heading' },
        texts.text('h2', 'heading', { id: 'imports-heading' }),
        texts.text('p', 'intro', { class: 'console-hint' }),
        this.form,
        this.status,
        this.recent.element,
      ),
    );
    this.layer.addEventListener('change', () => {
      setFieldError(this.layer, this.errors.layer, null);
      this.fillTargetChoices(true);
    });
    this.file.addEventListener('change', () => setFieldError(this.file, this.errors.file, null));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.analyse();
    });
  }

  async start(): Promise<void> {
    this.fillLayers();
    this.fillTargetChoices();
    try {
      this.targets = (await this.context.api.get<{ targets: ImportTarget[] }>('/api/imports/targets')).body.targets;
      this.fillLayers();
    } catch (error) {
      this.showFormError('targetsError', { reason: this.reason(error) });
    }
    await this.recent.load();
  }

  relabel(lang: Lang): void {
    this.texts.relabel(lang);
    this.fillLayers();
    this.fillTargetChoices();
    this.recent.render();
    this.render();
  }

  private titleOf(layer: string): string {
    return this.targets.find((t) => t.layer === layer)?.title[this.texts.current] ?? layer;
  }

  private get target(): ImportTarget | undefined {
    return this.targets.find((t) => t.layer === this.layer.value);
  }

  /** The layer choices: a placeholder first, so that no layer is picked by default. */
  private fillLayers(): void {
    const chosen = this.layer.value;
    this.layer.replaceChildren(
      el('option', { value: '' }, this.texts.t('layerChoose')),
      ...this.targets.map((t) => el('option', { value: t.layer }, t.title[this.texts.current])),
    );
    this.layer.value = this.targets.some((t) => t.layer === chosen) ? chosen : '';
  }

  /** The modes and profiles of the chosen layer; a mode chosen before stays chosen if offered, and
   *  the profile too unless the layer changed (then the layer's own profile comes first). */
  private fillTargetChoices(layerChanged = false): void {
    const target = this.target;
    const checked = this.modes.querySelector<HTMLInputElement>('input:checked')?.value;
    const legend = this.texts.text('legend', 'mode');
    const options = (target?.modes ?? []).map((mode) => {
      const id = `import-mode-${mode}`;
      const input = el('input', { type: 'radio', name: 'mode', id, value: mode, checked: mode === checked });
      input.addEventListener('change', () => setFieldError(this.modes, this.errors.mode, null));
      return el('div', { class: 'import-mode' }, input, this.texts.text('label', MODE_KEYS[mode], { for: id }, { key: target?.key ?? '' }));
    });
    this.modes.replaceChildren(legend, ...options);
    this.modes.disabled = !target;
    const profile = this.mapping.value;
    this.mapping.replaceChildren(
      el('option', { value: 'default' }, this.texts.t('mappingDefault')),
      ...(target?.profiles ?? []).map((p) => el('option', { value: p.name, title: p.description }, p.name)),
    );
    // A profile written for the layer is what its deliveries look like: offered first.
    const names = [...this.mapping.options].map((o) => o.value);
    this.mapping.value = !layerChanged && names.includes(profile) ? profile : (target?.profiles[0]?.name ?? 'default');
    this.texts.prune();
  }

  /** Checks the form, naming each field at fault; returns the request when it is complete. */
  private readForm(): ImportRequest | null {
    const target = this.target;
    const file = this.file.files?.[0];
    const mode = this.modes.querySelector<HTMLInputElement>('input:checked')?.value as ImportMode | undefined;
    const srs = this.srs.value.trim();
    const problems: [HTMLElement, HTMLElement, ImportsKey | null][] = [
      [this.layer, this.errors.layer, target ? null : 'errorLayer'],
      [this.file, this.errors.file, file ? null : 'errorFile'],
      [this.modes, this.errors.mode, target && !mode ? 'errorMode' : null],
      [this.srs, this.errors.srs, srs && !SRS.test(srs) ? 'errorSrs' : null],
    ];
    for (const [field, node, key] of problems) {
      if (key) this.texts.bind(node, key);
      setFieldError(field, node, key ? this.texts.t(key) : null);
    }
    const first = problems.find(([, , key]) => key);
    if (first) {
      (first[0] instanceof HTMLFieldSetElement ? first[0].querySelector('input') ?? first[0] : first[0]).focus();
      return null;
    }
    return { target: target!, file: file!, mode: mode!, mapping: this.mapping.value, srs };
  }

  private async analyse(): Promise<void> {
    this.hideFormError();
    const request = this.readForm();
    if (!request) return;
    this.request = request;
    await this.upload(request, true);
  }

  /** Uploads the file (dry run, or for real once confirmed) and follows the job it starts. */
  private async upload(request: ImportRequest, dryRun: boolean): Promise<void> {
    const form = new FormData();
    form.set('layer', request.target.layer);
    form.set('mode', request.mode);
    if (request.mapping !== 'default') form.set('mapping', request.mapping);
    if (request.srs) form.set('srs', request.srs.toUpperCase());
    form.set('dry_run', String(dryRun));
    // The person has read the dry run's diff and confirmed: a large replace is what they want.
    if (!dryRun) form.set('confirm', 'true');
    form.set('file', request.file, request.file.name);
    this.setBusy(true);
    this.show({ kind: 'uploading', percent: 0 });
    try {
      const { body } = await this.context.api.upload<ImportJob>('/api/imports', form, (sent, total) => {
        this.show({ kind: 'uploading', percent: total ? Math.floor((100 * sent) / total) : 0 });
      });
      await this.follow(body);
    } catch (error) {
      this.setBusy(false);
      this.show({ kind: 'idle' });
      this.showServerError(error);
    }
  }

  /** Reads the job back until it ends, showing its step; then the diff (dry run) or the report. */
  private async follow(job: ImportJob): Promise<void> {
    const token = ++this.following;
    let current = job;
    this.show({ kind: 'running', job: current, stopping: false });
    while (current.status === 'queued' || current.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (token !== this.following) return;
      try {
        current = await this.readJob(current.id!);
      } catch (error) {
        this.setBusy(false);
        this.show({ kind: 'idle' });
        this.showServerError(error);
        return;
      }
      if (token !== this.following) return;
      const stopping = this.view.kind === 'running' && this.view.stopping;
      if (current.status === 'queued' || current.status === 'running') this.show({ kind: 'running', job: current, stopping });
    }
    void this.recent.load();
    if (current.status === 'succeeded' && current.dryRun) {
      this.show({ kind: 'diff', job: current });
      const d = current.diff;
      this.context.announce(this.texts.t('announceDiff', { added: d?.added ?? 0, changed: d?.changed ?? 0, removed: removedBy(d) }));
      this.status.querySelector<HTMLButtonElement>('.import-confirm')?.focus();
      return;
    }
    this.setBusy(false);
    this.show({ kind: 'report', job: current });
    this.context.announce(this.texts.t(current.status === 'succeeded' ? 'announceDone' : 'announceFailed'));
  }

  /** GET /api/imports/{id}: a failed job comes back as 422/500 with the job in `import`. */
  private async readJob(id: number): Promise<ImportJob> {
    try {
      return (await this.context.api.get<ImportJob>(`/api/imports/${id}`)).body;
    } catch (error) {
      const job = error instanceof ApiError ? (error.details.import as ImportJob | undefined) : undefined;
      if (job) return job;
      throw error;
    }
  }

  private async stop(job: ImportJob): Promise<void> {
    this.show({ kind: 'running', job, stopping: true });
    try {
      await this.context.api.send('POST', `/api/imports/${job.id}/cancel`);
    } catch (error) {
      // 409: it ended meanwhile; the poll shows how.
      if (!(error instanceof ApiError && error.status === 409)) this.showServerError(error);
    }
  }

  private async confirm(job: ImportJob): Promise<void> {
    const request = this.request;
    if (!request) return;
    const removed = removedBy(job.diff);
    if (removed > 0 || job.confirmationRequired) {
      const ok = await confirmDialog(
        this.texts.t('confirmMessage', {
          file: request.file.name, layer: request.target.title[this.texts.current], mode: this.texts.t(`modeName_${request.mode}` as ImportsKey), removed,
        }),
        this.texts.t('confirmYes'),
      );
      if (!ok) return;
    }
    await this.upload(request, false);
  }

  private cancelImport(): void {
    this.following++;
    this.request = null;
    this.setBusy(false);
    this.show({ kind: 'message', key: 'cancelled' });
    this.context.announce(this.texts.t('cancelled'));
    this.submit.focus();
  }

  private reset(): void {
    this.following++;
    this.request = null;
    this.form.reset();
    this.fillTargetChoices();
    this.setBusy(false);
    this.show({ kind: 'idle' });
    this.layer.focus();
  }

  private setBusy(busy: boolean): void {
    for (const control of this.form.elements) (control as HTMLInputElement).disabled = busy;
    if (!busy) this.modes.disabled = !this.target;
  }

  private show(view: View): void {
    this.view = view;
    this.render();
  }

  /** Draws the current view into the live region (again on a language switch). */
  private render(): void {
    const { texts, view } = this;
    const parts: HTMLElement[] = [];
    if (view.kind === 'uploading') {
      parts.push(texts.text('p', 'uploadProgress', { id: 'import-upload-label' }, { percent: view.percent }));
      parts.push(el('progress', { max: 100, value: view.percent, 'aria-labelledby': 'import-upload-label' }));
    } else if (view.kind === 'running') {
      parts.push(renderProgress(texts, view.job));
      const stop = texts.text('button', view.stopping ? 'stopping' : 'stop', { type: 'button', class: 'secondary-button', disabled: view.stopping });
      stop.addEventListener('click', () => void this.stop(view.job));
      parts.push(el('div', { class: 'button-row' }, stop));
    } else if (view.kind === 'diff') {
      const job = view.job;
      parts.push(renderDiff(texts, job));
      const removed = removedBy(job.diff);
      if (removed > 0) parts.push(texts.text('p', 'replaceWarning', { class: 'import-warning' }, { removed }));
      if (job.confirmationRequired) parts.push(texts.text('p', 'confirmationNeeded', { class: 'import-warning' }));
      if (job.counts.rejected) parts.push(renderReport(texts, job));
      const confirm = texts.text('button', 'confirm', { type: 'button', class: 'primary-button import-confirm' });
      const cancel = texts.text('button', 'cancel', { type: 'button', class: 'secondary-button import-cancel' });
      confirm.addEventListener('click', () => void this.confirm(job));
      cancel.addEventListener('click', () => this.cancelImport());
      parts.push(el('div', { class: 'button-row' }, cancel, confirm));
    } else if (view.kind === 'report') {
      parts.push(renderReport(texts, view.job));
      const again = texts.text('button', 'newImport', { type: 'button', class: 'secondary-button' });
      again.addEventListener('click', () => this.reset());
      parts.push(el('div', { class: 'button-row' }, again));
    } else if (view.kind === 'message') {
      parts.push(texts.text('p', view.key, { class: 'import-message' }));
    }
    this.status.replaceChildren(...parts);
    texts.prune();
  }

  private reason(error: unknown): string {
    if (error instanceof ApiError) return messageIn(this.texts.current, error.message);
    return error instanceof Error ? error.message : String(error);
  }

  /** A refused upload: the field the server named gets the message, else the form does. */
  private showServerError(error: unknown): void {
    if (!(error instanceof ApiError)) {
      this.showFormError('networkError', { reason: this.reason(error) });
      return;
    }
    this.texts.unbind(this.formError);
    this.formError.textContent = this.reason(error);
    this.formError.hidden = false;
  }

  private showFormError(key: ImportsKey, params: Record<string, string>): void {
    this.texts.bind(this.formError, key, params);
    this.formError.hidden = false;
  }

  private hideFormError(): void {
    this.texts.unbind(this.formError);
    this.formError.hidden = true;
    this.formError.textContent = '';
  }
}
