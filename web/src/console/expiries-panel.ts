// Console tab "Échéances": options and reservations ending within 30 days, and lapsed ones, flagged
// (GET /api/expiries). Nothing is changed here: staff decide in the lots tab what follows.
import type { Lang } from '../api.ts';
import type { ConsolePanel } from './panel.ts';
import { el, translator } from './panel-dom.ts';
import { ApiError, messageIn } from './staff-api.ts';

const t = translator({
  fr: {
    heading: 'Échéances des options et réservations', lapsed: 'Échues', upcoming: 'Dans les {days} prochains jours', none: 'Aucune.',
    lot: '{zone} — lot {number}', lapsedFor: 'échue depuis {n} jour(s) le {date}', leftDays: 'échéance le {date}, dans {n} jour(s)',
    optioned: 'sous option', reserved: 'réservé',
  },
  en: {
    heading: 'Option and reservation end dates', lapsed: 'Lapsed', upcoming: 'Within the next {days} days', none: 'None.',
    lot: '{zone} — lot {number}', lapsedFor: 'lapsed {n} day(s) ago on {date}', leftDays: 'ends on {date}, in {n} day(s)',
    optioned: 'optioned', reserved: 'reserved',
  },
});

interface ExpiryRow {
  lot_id: number;
  lot_number: string;
  zone_name: string;
  status: string;
  option_expires_on: string;
  days_left: number;
  lapsed: boolean;
}

export const expiriesPanel: ConsolePanel = {
  id: 'expiries',
  label: { fr: 'Échéances', en: 'End dates' },
  roles: ['staff', 'admin'],
  mount(root, context) {
    let data: { days: number; lapsed: ExpiryRow[]; upcoming: ExpiryRow[] } | null = null;
    let failure: string | null = null;
    const body = el('div', {});
    root.append(body);
    const item = (lang: Lang, r: ExpiryRow) => el('li', { class: r.lapsed ? 'expiry lapsed' : 'expiry' },
      el('strong', {}, t(lang, 'lot', { zone: r.zone_name, number: r.lot_number })), ` (${r.status === 'reserved' ? t(lang, 'reserved') : t(lang, 'optioned')}) : `,
      r.lapsed ? t(lang, 'lapsedFor', { n: -r.days_left, date: r.option_expires_on }) : t(lang, 'leftDays', { n: r.days_left, date: r.option_expires_on }));
    const render = (lang: Lang) => {
      if (failure) return body.replaceChildren(el('h2', {}, t(lang, 'heading')), el('p', { role: 'alert' }, failure));
      if (!data) return body.replaceChildren(el('h2', {}, t(lang, 'heading')));
      const section = (title: string, rows: ExpiryRow[]) => el('section', {}, el('h3', {}, title),
        rows.length ? el('ul', {}, ...rows.map((r) => item(lang, r))) : el('p', {}, t(lang, 'none')));
      body.replaceChildren(el('h2', {}, t(lang, 'heading')), section(t(lang, 'lapsed'), data.lapsed),
        section(t(lang, 'upcoming', { days: data.days }), data.upcoming));
    };
    void context.api.get<{ days: number; lapsed: ExpiryRow[]; upcoming: ExpiryRow[] }>('/api/expiries').then(
      ({ body: b }) => { data = b; render(context.lang()); },
      (error) => { failure = error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error); render(context.lang()); });
    render(context.lang());
    return { relabel: render };
  },
};
