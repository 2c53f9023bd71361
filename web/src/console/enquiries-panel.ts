// Console tab "Demandes": enquiries sent from the public catalogue, new or answered (GET /api/enquiries),
// each with the enquirer's details (staff only) and a button to mark it answered or new again.
import type { Lang } from '../api.ts';
import type { ConsolePanel } from './panel.ts';
import { el, formatDateTime, translator } from './panel-dom.ts';
import { ApiError, messageIn } from './staff-api.ts';

const t = translator({
  fr: {
    heading: 'Demandes sur les lots', showNew: 'Nouvelles', showAnswered: 'Traitées', none: 'Aucune demande.',
    markAnswered: 'Marquer comme traitée', markNew: 'Remettre en nouvelle', retention: 'Les demandes sont supprimées après {days} jours.',
    from: '{name} ({company})', sent: 'Reçue le {date}', filter: 'Afficher', done: 'Demande mise à jour.',
  },
  en: {
    heading: 'Enquiries about lots', showNew: 'New', showAnswered: 'Answered', none: 'No enquiry.',
    markAnswered: 'Mark as answered', markNew: 'Mark as new again', retention: 'Enquiries are deleted after {days} days.',
    from: '{name} ({company})', sent: 'Received on {date}', filter: 'Show', done: 'Enquiry updated.',
  },
});

interface EnquiryRow {
  id: number;
  lot_id: number | null;
  lot_label: string;
  name: string;
  company: string | null;
  email: string;
  phone: string | null;
  message: string;
  status: 'new' | 'answered';
  created_at: string;
}

export const enquiriesPanel: ConsolePanel = {
  id: 'enquiries',
  label: { fr: 'Demandes', en: 'Enquiries' },
  roles: ['staff', 'admin'],
  mount(root, context) {
    let status: 'new' | 'answered' = 'new';
    let rows: EnquiryRow[] = [];
    let retention = 0;
    let failure: string | null = null;
    const heading = el('h2', {});
    const tabs = el('div', { role: 'group', class: 'enquiry-filter' });
    const retentionNote = el('p', {});
    const list = el('ul', { class: 'enquiry-list', 'aria-live': 'polite' });
    root.append(heading, tabs, retentionNote, list);

    const render = (lang: Lang) => {
      heading.textContent = t(lang, 'heading');
      tabs.setAttribute('aria-label', t(lang, 'filter'));
      tabs.replaceChildren(...(['new', 'answered'] as const).map((s) => {
        const b = el('button', { type: 'button', 'aria-pressed': String(s === status) }, t(lang, s === 'new' ? 'showNew' : 'showAnswered'));
        b.addEventListener('click', () => {
          status = s;
          void load();
        });
        return b;
      }));
      retentionNote.textContent = retention ? t(lang, 'retention', { days: retention }) : '';
      if (failure) {
        list.replaceChildren(el('li', { role: 'alert' }, failure));
        return;
      }
      if (!rows.length) {
        list.replaceChildren(el('li', {}, t(lang, 'none')));
        return;
      }
      list.replaceChildren(...rows.map((r) => {
        const toggle = el('button', { type: 'button' }, t(lang, r.status === 'new' ? 'markAnswered' : 'markNew'));
        toggle.addEventListener('click', async () => {
          try {
            await context.api.send('PATCH', `/api/enquiries/${r.id}`, { status: r.status === 'new' ? 'answered' : 'new' });
            context.announce(t(context.lang(), 'done'));
            await load();
          } catch (error) {
            context.announce(error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error));
          }
        });
        return el('li', { class: 'enquiry' },
          el('h3', {}, r.lot_label),
          el('p', {}, t(lang, 'from', { name: r.name, company: r.company ?? '—' }), ' · ',
            el('a', { href: `mailto:${r.email}` }, r.email), r.phone ? ` · ${r.phone}` : ''),
          el('p', {}, t(lang, 'sent', { date: formatDateTime(lang, r.created_at) })),
          el('blockquote', {}, r.message),
          toggle);
      }));
    };
    const load = async () => {
      try {
        const { body } = await context.api.get<{ retention_days: number; enquiries: EnquiryRow[] }>(`/api/enquiries?status=${status}`);
        rows = body.enquiries;
        retention = body.retention_days;
        failure = null;
      } catch (error) {
        failure = error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error);
      }
      render(context.lang());
    };
    void load();
    return { relabel: render };
  },
};
