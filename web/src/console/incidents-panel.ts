// Staff triage of incident reports, a console tab: the list filtered by status, and for the chosen
// report its status (with the public answer and the original of a duplicate), publication and an
// internal note. Reporters' words are shown as text, never as markup. Controls are built once and
// relabelled in place, so a language switch keeps what was typed.
import type { Lang } from '../api.ts';
import { incidents } from '../../../core/layers/incidents.layer.ts';
import type { ConsoleContext, ConsolePanel } from './panel.ts';
import { el, formatDateTime, translator } from './panel-dom.ts';
import { ApiError, messageIn } from './staff-api.ts';

interface Report {
  id: number; status: string; published: boolean; service_code: string; service_name: Record<Lang, string>;
  description: string; status_notes: string | null; duplicate_of: number | null; requested_datetime: string;
}

/** The workflow's statuses with their labels: the layer description's code list. */
const STATUSES = incidents.properties.find((p) => p.name === 'status')!.values!;
const statusLabel = (lang: Lang, code: string) => STATUSES.find((s) => s.value === code)?.label[lang] ?? code;

const t = translator({
  fr: {
    heading: 'Signalements des habitants', filter: 'État', all: 'Tous', csv: 'Exporter en CSV', none: 'Aucun signalement.',
    published: 'publié', unpublished: 'non publié', publish: 'Publier', unpublish: 'Retirer de la publication',
    status: 'Nouvel état', answer: 'Réponse publique', original: 'Doublon du signalement n°', note: 'Note interne (non publiée)',
    save: 'Enregistrer', done: 'Signalement n° {id} enregistré', title: 'Signalement n° {id}', reported: 'Signalé le {date} · {service} · {state}',
  },
  en: {
    heading: 'Residents’ incident reports', filter: 'Status', all: 'All', csv: 'Export CSV', none: 'No report.',
    published: 'published', unpublished: 'not published', publish: 'Publish', unpublish: 'Withdraw from publication',
    status: 'New status', answer: 'Public answer', original: 'Duplicate of report #', note: 'Internal note (not published)',
    save: 'Save', done: 'Report #{id} saved', title: 'Report #{id}', reported: 'Reported on {date} · {service} · {state}',
  },
});

/** A labelled control in the console's `.field` layout. */
function field(id: string, control: HTMLElement): { box: HTMLDivElement; label: HTMLLabelElement } {
  control.id = id;
  const label = el('label', { for: id });
  return { box: el('div', { class: 'field' }, label, control), label };
}

function mount(root: HTMLElement, context: ConsoleContext) {
  let rows: Report[] = [];
  let selected: Report | null = null;
  let failure: string | null = null;
  const say = (error: unknown) => (error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error));

  const heading = el('h2', {});
  const filter = field('incidents-filter', el('select', {}));
  const csv = el('a', { href: '/api/incidents/export.csv', download: 'signalements.csv' });
  const list = el('ul', { class: 'incident-list' });
  const detailHeading = el('h3', { id: 'incident-detail-heading', tabindex: '-1' });
  const meta = el('p', {});
  const text = el('p', { class: 'incident-text' });
  const publish = el('button', { type: 'button' });
  const status = field('incident-status', el('select', {}));
  const answer = field('incident-answer', el('textarea', { maxlength: '4000' }));
  const original = field('incident-original', el('input', { inputmode: 'numeric', pattern: '[0-9]*' }));
  const note = field('incident-note', el('textarea', { maxlength: '4000' }));
  const save = el('button', { type: 'button' });
  const detail = el('section', { class: 'incident-detail', 'aria-labelledby': detailHeading.id, hidden: true },
    detailHeading, meta, text, publish, status.box, answer.box, original.box, note.box, save);
  root.append(heading, filter.box, csv, list, detail);

  const statusSelect = status.box.querySelector('select')!;
  const filterSelect = filter.box.querySelector('select')!;
  const answerText = answer.box.querySelector('textarea')!;
  const originalInput = original.box.querySelector('input')!;
  const noteText = note.box.querySelector('textarea')!;
  const showOriginal = () => { original.box.hidden = statusSelect.value !== 'duplicate'; };

  /** Refills a select's options in `lang`, keeping its value. */
  const options = (select: HTMLSelectElement, entries: [string, string][]) => {
    const value = select.value;
    select.replaceChildren(...entries.map(([v, label]) => new Option(label, v)));
    select.value = value;
  };

  const render = (lang: Lang) => {
    heading.textContent = t(lang, 'heading');
    filter.label.textContent = t(lang, 'filter');
    options(filterSelect, [['', t(lang, 'all')], ...STATUSES.map((s): [string, string] => [s.value, s.label[lang]])]);
    csv.textContent = t(lang, 'csv');
    const state = (r: Report) => `${statusLabel(lang, r.status)} · ${t(lang, r.published ? 'published' : 'unpublished')}`;
    if (failure) list.replaceChildren(el('li', { role: 'alert' }, failure));
    else if (!rows.length) list.replaceChildren(el('li', {}, t(lang, 'none')));
    else list.replaceChildren(...rows.map((r) => {
      const open = el('button', { type: 'button', 'data-incident-id': r.id, 'aria-current': r.id === selected?.id ? 'true' : undefined },
        `${t(lang, 'title', { id: String(r.id) })} · ${state(r)} — ${r.description.slice(0, 80)}`);
      open.addEventListener('click', () => show(r));
      return el('li', {}, open);
    }));
    if (!selected) return;
    detailHeading.textContent = t(lang, 'title', { id: String(selected.id) });
    meta.textContent = t(lang, 'reported', { date: formatDateTime(lang, selected.requested_datetime), service: selected.service_name[lang], state: state(selected) });
    publish.textContent = t(lang, selected.published ? 'unpublish' : 'publish');
    status.label.textContent = t(lang, 'status');
    options(statusSelect, STATUSES.map((s) => [s.value, s.label[lang]]));
    answer.label.textContent = t(lang, 'answer');
    original.label.textContent = t(lang, 'original');
    note.label.textContent = t(lang, 'note');
    save.textContent = t(lang, 'save');
  };

  const show = (r: Report, focus = true) => {
    selected = r;
    text.textContent = r.description;
    options(statusSelect, STATUSES.map((s) => [s.value, s.label[context.lang()]]));
    statusSelect.value = r.status;
    answerText.value = r.status_notes ?? '';
    originalInput.value = r.duplicate_of ? String(r.duplicate_of) : '';
    noteText.value = '';
    showOriginal();
    detail.hidden = false;
    render(context.lang());
    if (focus) detailHeading.focus();
  };

  const load = async () => {
    try {
      const query = filterSelect.value ? `?status=${encodeURIComponent(filterSelect.value)}` : '';
      rows = (await context.api.get<{ incidents: Report[] }>(`/api/incidents${query}`)).body.incidents.slice(0, 200);
      failure = null;
    } catch (error) {
      failure = say(error);
    }
    render(context.lang());
  };

  /** Runs a change to the selected report, then shows it as now stored and reloads the list. */
  const run = (action: (r: Report) => Promise<unknown>) => async () => {
    const r = selected;
    if (!r) return;
    try {
      await action(r);
      show((await context.api.get<Report>(`/api/incidents/${r.id}`)).body, false);
      await load();
      context.announce(t(context.lang(), 'done', { id: String(r.id) }));
    } catch (error) {
      context.announce(say(error));
    }
  };

  publish.addEventListener('click', run((r) => context.api.send('PATCH', `/api/incidents/${r.id}`, { published: !r.published })));
  save.addEventListener('click', run(async (r) => {
    if (statusSelect.value !== r.status) {
      await context.api.send('POST', `/api/incidents/${r.id}/status`, {
        status: statusSelect.value, status_notes: answerText.value,
        ...(statusSelect.value === 'duplicate' ? { duplicate_of: Number(originalInput.value) } : {}),
      });
    } else if (answerText.value !== (r.status_notes ?? '')) {
      await context.api.send('PATCH', `/api/incidents/${r.id}`, { status_notes: answerText.value });
    }
    if (noteText.value.trim()) await context.api.send('POST', `/api/incidents/${r.id}/notes`, { note: noteText.value });
  }));
  statusSelect.addEventListener('change', showOriginal);
  filterSelect.addEventListener('change', () => void load());
  render(context.lang());
  void load();
  return { relabel: render };
}

/** The console tab: register it in web/src/console/panels.ts. */
export const incidentsPanel: ConsolePanel = {
  id: 'incidents',
  label: { fr: 'Signalements', en: 'Incident reports' },
  roles: ['staff', 'admin'],
  mount,
};
