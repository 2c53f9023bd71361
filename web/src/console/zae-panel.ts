// Console tab "Inventaire ZAE": the CNIG inventory files (the staff ones, with the occupants, and the
// public ones) and the staff check (GET /api/zae/check): per table, how many rows are valid, then each
// row with its schema errors and the CNIG fields still unset, so staff know what to fill in the lots tab
// (zone record and lot form), and run it again once they have.
import type { Lang } from '../api.ts';
import type { ConsolePanel } from './panel.ts';
import { el, translator } from './panel-dom.ts';
import { ApiError, messageIn } from './staff-api.ts';

const t = translator({
  fr: {
    heading: 'Inventaire des zones d’activité (CNIG)', files: 'Fichiers', staffFiles: 'Complets (agents)', publicFiles: 'Publics',
    check: 'Contrôle', summary: '{valid} ligne(s) valide(s) sur {total}', invalid: 'invalide', unset: 'à renseigner : {fields}',
    none: 'Aucune ligne.', zone: 'Zone {code} — {name}', lot: 'Lot n° {id} (zone {zone})', occupant: 'SIRET {siret}',
    publicNote: 'Le fichier public des établissements ne contient aucune ligne : SIRET et nom des occupants sont privés.',
    recheck: 'Relancer le contrôle',
  },
  en: {
    heading: 'Business zone inventory (CNIG)', files: 'Files', staffFiles: 'Complete (staff)', publicFiles: 'Public',
    check: 'Check', summary: '{valid} valid row(s) out of {total}', invalid: 'invalid', unset: 'to fill in: {fields}',
    none: 'No row.', zone: 'Zone {code} — {name}', lot: 'Lot #{id} (zone {zone})', occupant: 'SIRET {siret}',
    publicNote: 'The public establishments file holds no row: occupants’ SIRET and names are private.',
    recheck: 'Run the check again',
  },
});

type Fault = { field: string; message: string };
type Checked = { valid: boolean; errors: Fault[]; unset: string[] };
interface ZaeCheck {
  site_eco: (Checked & { zone_id: number; code: string; name: string })[];
  terrain_eco: (Checked & { lot_id: number; zone_id: number })[];
  etablissement: (Checked & { siret: string; lot_ids: number[] })[];
}

const CLASSES = [
  { id: 'site-eco', key: 'site_eco', title: 'SITE-ECO' },
  { id: 'terrain-eco', key: 'terrain_eco', title: 'TERRAIN-ECO' },
  { id: 'etablissement', key: 'etablissement', title: 'ETABLISSEMENT' },
] as const;

export const zaePanel: ConsolePanel = {
  id: 'zae',
  label: { fr: 'Inventaire ZAE', en: 'ZAE inventory' },
  roles: ['staff', 'admin'],
  mount(root, context) {
    let check: ZaeCheck | null = null;
    let failure: string | null = null;
    const body = el('div', { class: 'zae-panel' });
    root.append(body);

    const links = (base: string) => el('ul', {}, ...CLASSES.map((c) => el('li', {}, `${c.title} : `,
      el('a', { href: `${base}/${c.id}.csv`, download: '' }, 'CSV'), ' · ',
      el('a', { href: `${base}/${c.id}.gpkg`, download: '' }, 'GeoPackage'))));
    const label = (lang: Lang, row: Checked & Record<string, unknown>) =>
      'siret' in row ? t(lang, 'occupant', { siret: String(row.siret) })
        : 'lot_id' in row ? t(lang, 'lot', { id: String(row.lot_id), zone: String(row.zone_id) })
          : t(lang, 'zone', { code: String(row.code), name: String(row.name) });
    const table = (lang: Lang, title: string, rows: (Checked & Record<string, unknown>)[]) => {
      const valid = rows.filter((r) => r.valid).length;
      // Rows with nothing to report are only counted: the list shows what needs work.
      const work = rows.filter((r) => !r.valid || r.unset.length);
      return el('section', { class: 'zae-check' }, el('h4', {}, title), el('p', {}, t(lang, 'summary', { valid, total: rows.length })),
        rows.length ? el('ul', {}, ...work.map((r) => el('li', { class: r.valid ? 'zae-row' : 'zae-row invalid' },
          el('strong', {}, label(lang, r)), r.valid ? '' : ` (${t(lang, 'invalid')})`,
          r.errors.length ? el('ul', {}, ...r.errors.map((e) => el('li', {}, `${e.field} : ${e.message}`))) : '',
          r.unset.length ? el('p', {}, t(lang, 'unset', { fields: r.unset.join(', ') })) : ''))) : el('p', {}, t(lang, 'none')));
    };
    const render = (lang: Lang) => {
      const parts: Node[] = [el('h2', {}, t(lang, 'heading')), el('h3', {}, t(lang, 'files')),
        el('p', {}, t(lang, 'staffFiles')), links('/api/zae'), el('p', {}, t(lang, 'publicFiles')), links('/downloads/zae'),
        el('p', {}, t(lang, 'publicNote')), el('h3', {}, t(lang, 'check'))];
      const again = el('button', { type: 'button', class: 'secondary-button' }, t(lang, 'recheck'));
      again.addEventListener('click', () => void load());
      parts.push(again);
      if (failure) parts.push(el('p', { role: 'alert' }, failure));
      else if (check) for (const c of CLASSES) parts.push(table(lang, c.title, check[c.key] as (Checked & Record<string, unknown>)[]));
      body.replaceChildren(...parts);
    };
    // Rendering replaces the button: focus goes back to the new one, not to the page's top.
    const rerender = () => {
      const hadFocus = body.contains(document.activeElement);
      render(context.lang());
      if (hadFocus) body.querySelector('button')?.focus();
    };
    const load = () => context.api.get<ZaeCheck>('/api/zae/check').then(
      ({ body: b }) => { check = b; failure = null; rerender(); },
      (error) => { failure = error instanceof ApiError ? messageIn(context.lang(), error.message) : String(error); rerender(); });
    void load();
    render(context.lang());
    return { relabel: render };
  },
};
