// Staff triage of incident reports, a console tab: the list filtered by status, and for the chosen
// report its status (with the public answer and the original of a duplicate), publication and an
// internal note. Reporters' words are shown as text, never as markup.
import type { Lang } from '../api.ts';
import type { ConsoleContext, ConsolePanel } from './panel.ts';
import { ApiError, messageIn } from './staff-api.ts';

interface Report {
  id: number; status: string; published: boolean; service_code: string; description: string;
  status_notes: string | null; requested_datetime: string; reporter_email: string | null;
}

const STATUSES = ['new', 'acknowledged', 'in_progress', 'resolved', 'rejected', 'duplicate'] as const;
const WORDS = {
  fr: { filter: 'État', all: 'Tous', publish: 'Publier', unpublish: 'Retirer', status: 'Changer l’état', answer: 'Réponse publique', original: 'Doublon de (n°)', note: 'Note interne', save: 'Enregistrer', csv: 'Exporter en CSV', done: 'Enregistré' },
  en: { filter: 'Status', all: 'All', publish: 'Publish', unpublish: 'Withdraw', status: 'Change status', answer: 'Public answer', original: 'Duplicate of (#)', note: 'Internal note', save: 'Save', csv: 'Export CSV', done: 'Saved' },
} satisfies Record<Lang, Record<string, string>>;

function field(labelText: string, control: HTMLElement): HTMLLabelElement {
  const label = document.createElement('label');
  label.append(labelText, control);
  return label;
}

function mount(root: HTMLElement, context: ConsoleContext): void {
  const w = () => WORDS[context.lang()];
  const fail = (error: unknown) => context.announce(error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error));
  const filter = document.createElement('select');
  const list = document.createElement('ul');
  const detail = document.createElement('section');
  const csv = document.createElement('a');
  csv.href = '/api/incidents/export.csv';
  csv.textContent = w().csv;
  filter.append(new Option(w().all, ''), ...STATUSES.map((s) => new Option(s, s)));
  root.replaceChildren(field(w().filter, filter), csv, list, detail);

  const load = async () => {
    try {
      const query = filter.value ? `?status=${filter.value}` : '';
      const { body } = await context.api.get<{ incidents: Report[] }>(`/api/incidents${query}`);
      list.replaceChildren(...body.incidents.slice(0, 200).map((r) => {
        const item = document.createElement('li');
        const open = document.createElement('button');
        open.type = 'button';
        open.textContent = `n° ${r.id} · ${r.status}${r.published ? '' : ' · ○'} · ${r.service_code} — ${r.description.slice(0, 80)}`;
        open.addEventListener('click', () => show(r));
        item.append(open);
        return item;
      }));
    } catch (error) {
      fail(error);
    }
  };

  const show = (r: Report) => {
    const status = document.createElement('select');
    status.append(...STATUSES.map((s) => new Option(s, s)));
    status.value = r.status;
    const answer = document.createElement('textarea');
    answer.value = r.status_notes ?? '';
    const original = document.createElement('input');
    original.inputMode = 'numeric';
    const note = document.createElement('textarea');
    const save = document.createElement('button');
    save.type = 'button';
    save.textContent = w().save;
    const publish = document.createElement('button');
    publish.type = 'button';
    publish.textContent = r.published ? w().unpublish : w().publish;
    const heading = document.createElement('h3');
    heading.textContent = `n° ${r.id}`;
    const text = document.createElement('p');
    text.textContent = r.description;
    const run = (action: () => Promise<unknown>) => async () => {
      try {
        await action();
        context.announce(w().done);
        await load();
      } catch (error) {
        fail(error);
      }
    };
    publish.addEventListener('click', run(() => context.api.send('PATCH', `/api/incidents/${r.id}`, { published: !r.published })));
    save.addEventListener('click', run(async () => {
      if (status.value !== r.status) {
        await context.api.send('POST', `/api/incidents/${r.id}/status`, {
          status: status.value, status_notes: answer.value,
          ...(status.value === 'duplicate' ? { duplicate_of: Number(original.value) } : {}),
        });
      } else if (answer.value !== (r.status_notes ?? '')) {
        await context.api.send('PATCH', `/api/incidents/${r.id}`, { status_notes: answer.value });
      }
      if (note.value.trim()) await context.api.send('POST', `/api/incidents/${r.id}/notes`, { note: note.value });
    }));
    detail.replaceChildren(heading, text, publish, field(w().status, status), field(w().answer, answer), field(w().original, original), field(w().note, note), save);
  };

  filter.addEventListener('change', () => void load());
  void load();
}

/** The console tab: register it in web/src/console/panels.ts. */
export const incidentsPanel: ConsolePanel = {
  id: 'incidents',
  label: { fr: 'Signalements', en: 'Incident reports' },
  roles: ['staff', 'admin'],
  mount,
};
