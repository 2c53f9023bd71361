// The public catalogue page: filters → list and map of the lots on the market; `?lot=<id>` opens a lot
// (its plan on the map, public fields, fibre answer, neighbours, files, enquiry form); the dashboard below.
import 'maplibre-gl/dist/maplibre-gl.css';
import './catalogue.css';
import type { AppConfig } from '../api.ts';
import { fetchDashboard, fetchLot, fetchLots, fetchZones, RequestError, type LotFeature, type LotPage } from './catalogue-api.ts';
import { applyTexts, currentLang, fibreText, serverText, startLang, statusText, switchLang, tr } from './catalogue-i18n.ts';
import { createCatalogueMap } from './catalogue-map.ts';
import { renderDashboard } from './dashboard-view.ts';
import { mountEnquiryForm } from './enquiry-form.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('filters');
const list = $<HTMLUListElement>('lot-list');
const lotSection = $<HTMLElement>('lot');
let lots: LotFeature[] = [];
let openLot: LotPage | null = null;

const yesNo = (value: boolean | null) => (value === null ? tr('unknown') : value ? tr('yes') : tr('no'));
const area = (m2: number) => `${Math.round(m2).toLocaleString(currentLang())} m²`;
const lotTitle = (p: { zone_name: string; lot_number: string }) => tr('lotTitle', { zone: p.zone_name, number: p.lot_number });

function filterQuery(): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (String(value) !== '') query.set(name, String(value));
  return query;
}

function renderList(): void {
  $('result-count').textContent = lots.length ? tr('count', { n: lots.length }) : tr('none');
  list.replaceChildren(...lots.map((lot) => {
    const p = lot.properties;
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `?lot=${lot.id}`;
    link.textContent = lotTitle(p);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      void showLot(lot.id, true);
    });
    const facts = document.createElement('p');
    facts.textContent = [p.commune, area(p.area_m2), p.price_per_m2 !== null ? `${p.price_per_m2} ${tr('perM2')}` : null,
      statusText(p.status), `${tr('fibreAnswer')} : ${fibreText(p.fibre_status)}`].filter(Boolean).join(' · ');
    item.append(link, facts);
    return item;
  }));
}

async function search(): Promise<void> {
  $('filter-error').textContent = '';
  try {
    lots = await fetchLots(filterQuery());
    renderList();
    catalogueMap.showLots(lots);
  } catch (error) {
    $('filter-error').textContent = error instanceof RequestError ? serverText(error.message) : tr('loadError');
  }
}

function renderLot(page: LotPage): void {
  const p = page.properties;
  const heading = document.createElement('h2');
  heading.id = 'lot-heading';
  heading.textContent = lotTitle(p);
  const facts = document.createElement('dl');
  const fact = (term: string, value: string) => {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    facts.append(dt, dd);
  };
  fact(tr('status'), statusText(p.status));
  fact(tr('commune'), p.commune ?? tr('unknown'));
  fact(tr('area'), area(p.area_m2));
  fact(tr('price'), p.price_per_m2 !== null ? `${p.price_per_m2} ${tr('perM2')}` : tr('unknown'));
  fact(tr('serviced'), yesNo(p.serviced));
  fact(tr('water'), yesNo(p.water));
  fact(tr('sewer'), yesNo(p.sewer));
  fact(tr('electricity'), yesNo(p.electricity));
  if (p.activity) fact(tr('activity'), p.activity);
  fact(tr('fibreAnswer'), page.fibre ? `${fibreText(page.fibre.status)} — ${page.fibre.summary_fr}` : tr('unknown'));

  const neighbours = document.createElement('section');
  const nh = document.createElement('h3');
  nh.textContent = tr('neighbours');
  const nl = document.createElement('ul');
  for (const n of page.neighbours) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `?lot=${n.id}`;
    a.textContent = `${n.lot_number} — ${statusText(n.status)}, ${area(n.area_m2)}`;
    a.addEventListener('click', (event) => {
      event.preventDefault();
      void showLot(n.id, true);
    });
    li.append(a);
    nl.append(li);
  }
  neighbours.append(nh, page.neighbours.length ? nl : Object.assign(document.createElement('p'), { textContent: tr('noNeighbour') }));

  const files = document.createElement('section');
  if (page.attachments.length) {
    const fh = document.createElement('h3');
    fh.textContent = tr('files');
    const fl = document.createElement('ul');
    for (const a of page.attachments) {
      const li = document.createElement('li');
      li.append(Object.assign(document.createElement('a'), { href: `/api/attachments/${a.id}`, textContent: a.file_name }));
      fl.append(li);
    }
    files.append(fh, fl);
  }

  const links = document.createElement('p');
  const permalink = Object.assign(document.createElement('a'), { href: `${location.pathname}?lot=${p.id}`, textContent: tr('permalink') });
  const back = document.createElement('button');
  back.type = 'button';
  back.textContent = tr('close');
  back.addEventListener('click', () => {
    history.pushState(null, '', location.pathname);
    void showLot(null, false);
  });
  links.append(permalink, ' ', back);

  const enquiry = document.createElement('div');
  lotSection.replaceChildren(heading, facts, neighbours, files, links, enquiry);
  if (page.on_market) mountEnquiryForm(enquiry, p.id, page.enquiry_retention_days);
}

async function showLot(id: number | null, push: boolean): Promise<void> {
  if (id === null) {
    openLot = null;
    lotSection.hidden = true;
    catalogueMap.focus(null);
    list.focus();
    return;
  }
  try {
    openLot = await fetchLot(id);
  } catch (error) {
    $('filter-error').textContent = error instanceof RequestError ? serverText(error.message) : tr('loadError');
    return;
  }
  if (push) history.pushState(null, '', `?lot=${id}`);
  renderLot(openLot);
  lotSection.hidden = false;
  lotSection.focus();
  catalogueMap.focus(openLot);
}

async function fillSelects(): Promise<void> {
  const zones = await fetchZones();
  const zoneSelect = $<HTMLSelectElement>('f-zone');
  const communeSelect = $<HTMLSelectElement>('f-commune');
  for (const z of zones) zoneSelect.append(new Option(z.name, String(z.id)));
  for (const c of [...new Set(zones.map((z) => z.commune).filter((c): c is string => !!c))].sort()) communeSelect.append(new Option(c, c));
}

async function loadDashboard(): Promise<void> {
  renderDashboard($<HTMLCanvasElement>('dashboard-chart'), $('dashboard-table'), await fetchDashboard());
}

function relabel(): void {
  applyTexts();
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === currentLang()));
  renderList();
  if (openLot) renderLot(openLot);
  void loadDashboard();
}

startLang();
const config = (await fetch('/api/config').then((r) => r.json())) as AppConfig;
const catalogueMap = createCatalogueMap($('catalogue-map'), config.basemap, (id) => void showLot(id, true));
applyTexts();
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
  b.setAttribute('aria-pressed', String(b.dataset.lang === currentLang()));
  b.addEventListener('click', () => {
    switchLang(b.dataset.lang === 'en' ? 'en' : 'fr');
    relabel();
  });
}
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void search();
});
window.addEventListener('popstate', () => {
  const id = Number(new URLSearchParams(location.search).get('lot'));
  void showLot(Number.isInteger(id) && id > 0 ? id : null, false);
});
await fillSelects();
await search();
const initial = Number(new URLSearchParams(location.search).get('lot'));
if (Number.isInteger(initial) && initial > 0) await showLot(initial, false);
await loadDashboard();
