// The report form, phone first: place the pin (tap, map centre, or the device's location), pick a
// category from the layer's code list, see open reports of that category nearby ("me too"), describe,
// attach photos, optionally leave a name and e-mail; then the tracking number and link. With
// `?suivi=<token>` the page shows that report's tracking instead. Errors keep what was typed.
import 'maplibre-gl/dist/maplibre-gl.css';
import './incident.css';
import { Map as MapLibreMap, Marker, NavigationControl, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { fetchConfig, fetchLayers, fetchTerritory, type Lang, type Localized } from '../api.ts';
import { buildBaseStyle, setBasemap } from '../basemap.ts';
import { addTerritoryOutline, FALLBACK_VIEW, territoryBbox, toBounds } from '../territory.ts';
import { text, type TextKey } from './incident-text.ts';

setWorkerUrl(workerUrl);

interface Tracked {
  id: number; service_name: Localized; status_label: Localized; status_notes: string | null;
  requested_datetime: string; description: string; published: boolean;
}
interface NearbyRequest { service_request_id: number; description: string; status_notes: string }

const LANG_KEY = 'websig-lang';
let lang: Lang = (localStorage.getItem(LANG_KEY) as Lang | null) ?? (navigator.language.startsWith('en') ? 'en' : 'fr');
let categories: { value: string; label: Localized }[] = [];
let retentionDays = 180;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('report-form');

function applyLang(): void {
  document.documentElement.lang = lang;
  document.title = `${text(lang, 'title')} — Montfort Communauté`;
  for (const el of document.querySelectorAll<HTMLElement>('[data-t]')) el.textContent = text(lang, el.dataset.t as TextKey);
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  $('privacy-text').textContent = text(lang, 'privacyText', { days: retentionDays });
  const select = $<HTMLSelectElement>('service_code');
  const chosen = select.value;
  select.replaceChildren(new Option(text(lang, 'chooseCategory'), ''), ...categories.map((c) => new Option(c.label[lang], c.value)));
  select.value = chosen;
  showPlace();
}

// ---- place ----
let map: MapLibreMap | undefined;
let marker: Marker | undefined;
let place: { lon: number; lat: number } | undefined;

function showPlace(): void {
  $('place-status').textContent = place ? text(lang, 'placeChosen', { lat: place.lat.toFixed(5), lon: place.lon.toFixed(5) }) : text(lang, 'noPlace');
}

function setPlace(lon: number, lat: number): void {
  place = { lon, lat };
  $<HTMLInputElement>('lat').value = String(lat);
  $<HTMLInputElement>('long').value = String(lon);
  if (map) {
    marker ??= new Marker({ color: '#a02c2c' }).setLngLat([lon, lat]).addTo(map);
    marker.setLngLat([lon, lat]);
  }
  showPlace();
  void refreshNearby();
}

async function setupMap(): Promise<void> {
  const [config, territory] = await Promise.all([fetchConfig().catch(() => null), fetchTerritory().catch(() => null)]);
  map = new MapLibreMap({ container: 'report-map', style: buildBaseStyle(), center: FALLBACK_VIEW.center, zoom: FALLBACK_VIEW.zoom, attributionControl: { compact: true } });
  map.addControl(new NavigationControl({ showCompass: false }));
  map.on('load', () => {
    if (config) setBasemap(map!, config.basemap);
    if (territory) {
      addTerritoryOutline(map!, territory);
      const bbox = territoryBbox(territory);
      if (bbox) map!.fitBounds(toBounds(bbox), { padding: 10, animate: false });
    }
    document.documentElement.dataset.mapIdle = '1';
  });
  map.on('click', (event) => setPlace(event.lngLat.lng, event.lngLat.lat));
}

// ---- nearby open reports of the same category ----
async function refreshNearby(): Promise<void> {
  const code = $<HTMLSelectElement>('service_code').value;
  const section = $('nearby');
  if (!place || !code) {
    section.hidden = true;
    return;
  }
  const query = new URLSearchParams({ service_code: code, status: 'open', lat: String(place.lat), long: String(place.lon), radius: '150' });
  const res = await fetch(`/open311/v2/requests.json?${query}`).catch(() => null);
  const found = res?.ok ? ((await res.json()) as NearbyRequest[]) : [];
  section.hidden = found.length === 0;
  $('nearby-list').replaceChildren(...found.slice(0, 5).map((r) => {
    const item = document.createElement('li');
    const description = document.createElement('p');
    description.textContent = `n° ${r.service_request_id} — ${r.description}`;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text(lang, 'meToo');
    button.addEventListener('click', () => void meToo(r.service_request_id, item));
    item.append(description, button);
    return item;
  }));
}

async function meToo(id: number, item: HTMLElement): Promise<void> {
  const email = $<HTMLInputElement>('email').value.trim();
  const body = { name: $<HTMLInputElement>('name').value.trim() || undefined, email: email || undefined, consent: $<HTMLInputElement>('consent').checked };
  const res = await fetch(`/api/incidents/${id}/follow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
  if (res?.ok) {
    item.querySelector('button')?.remove();
    const done = document.createElement('p');
    done.setAttribute('role', 'status');
    done.textContent = text(lang, 'meTooDone');
    item.append(done);
  } else {
    await showErrors(res ? [await serverMessage(res)] : [{ field: undefined, message: text(lang, 'networkError') }]);
  }
}

// ---- errors: listed at the top, and beside their field; the form keeps what was typed ----
type FieldError = { field: string | undefined; message: string };

async function serverMessage(res: Response): Promise<FieldError> {
  const body = (await res.json().catch(() => ({}))) as { description?: string; field?: string };
  // The server's messages are "français / English".
  const [fr, en] = (body.description ?? `HTTP ${res.status}`).split(' / ');
  return { field: body.field === 'long' || body.field === 'lon' ? 'lat' : body.field, message: (lang === 'en' ? en : fr) ?? fr! };
}

async function showErrors(errors: FieldError[]): Promise<void> {
  for (const el of form.querySelectorAll<HTMLElement>('.field-error')) el.hidden = true;
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const box = $('form-errors');
  box.replaceChildren();
  if (errors.length === 0) {
    box.hidden = true;
    return;
  }
  const intro = document.createElement('p');
  intro.textContent = text(lang, 'errorsIntro');
  const list = document.createElement('ul');
  for (const error of errors) {
    const item = document.createElement('li');
    item.textContent = error.message;
    list.append(item);
    const slot = error.field ? document.getElementById(`${error.field}-error`) : null;
    if (slot) {
      slot.textContent = error.message;
      slot.hidden = false;
      document.getElementById(error.field!)?.setAttribute('aria-invalid', 'true');
    }
  }
  box.append(intro, list);
  box.hidden = false;
  box.focus();
}

function checkForm(): FieldError[] {
  const errors: FieldError[] = [];
  if (!place) errors.push({ field: undefined, message: text(lang, 'needPlace') });
  if (!$<HTMLSelectElement>('service_code').value) errors.push({ field: 'service_code', message: text(lang, 'needCategory') });
  if ($<HTMLTextAreaElement>('description').value.trim().length < 5) errors.push({ field: 'description', message: text(lang, 'needDescription') });
  if ($<HTMLInputElement>('email').value.trim() && !$<HTMLInputElement>('consent').checked) errors.push({ field: 'consent', message: text(lang, 'needConsent') });
  if (($<HTMLInputElement>('photos').files?.length ?? 0) > 3) errors.push({ field: 'photos', message: text(lang, 'tooManyPhotos') });
  return errors;
}

async function submit(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const errors = checkForm();
  if (errors.length) return showErrors(errors);
  const button = $<HTMLButtonElement>('submit');
  button.disabled = true;
  button.textContent = text(lang, 'sending');
  try {
    const data = new FormData(form);
    data.delete('consent');
    if (!data.get('email')) data.delete('email');
    const res = await fetch('/api/incidents', { method: 'POST', body: data });
    if (!res.ok) return showErrors([await serverMessage(res)]);
    const created = (await res.json()) as { id: number; tracking_url: string };
    await showErrors([]);
    form.hidden = true;
    $('done-number').textContent = String(created.id);
    $<HTMLAnchorElement>('done-link').href = created.tracking_url;
    $('done').hidden = false;
    $('done').focus();
  } catch {
    await showErrors([{ field: undefined, message: text(lang, 'networkError') }]);
  } finally {
    button.disabled = false;
    button.textContent = text(lang, 'submit');
  }
}

// ---- tracking page ----
async function showTracking(token: string): Promise<void> {
  form.hidden = true;
  const section = $('tracking');
  section.hidden = false;
  const list = $('tracking-details');
  const res = await fetch(`/api/incidents/track/${encodeURIComponent(token)}`).catch(() => null);
  if (!res?.ok) {
    const p = document.createElement('p');
    p.textContent = text(lang, 'trackingMissing');
    list.replaceChildren(p);
    return;
  }
  const r = (await res.json()) as Tracked;
  const rows: [TextKey, string][] = [
    ['fieldNumber', String(r.id)],
    ['fieldCategory', r.service_name[lang]],
    ['fieldStatus', r.status_label[lang]],
    ['fieldAnswer', r.status_notes ?? '—'],
    ['fieldReported', new Date(r.requested_datetime).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB')],
    ['fieldDescription', r.description],
  ];
  list.replaceChildren(...rows.flatMap(([key, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = text(lang, key);
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.field = key;
    return [dt, dd];
  }));
  if (!r.published) {
    const note = document.createElement('p');
    note.textContent = text(lang, 'notPublished');
    list.append(note);
  }
}

async function start(): Promise<void> {
  const token = new URLSearchParams(location.search).get('suivi');
  const [layers, privacy] = await Promise.all([
    fetchLayers().catch(() => []),
    fetch('/api/incidents/privacy').then((r) => r.json() as Promise<{ retention_days: number }>).catch(() => null),
  ]);
  categories = layers.find((l) => l.id === 'incidents')?.fields.find((f) => f.name === 'service_code')?.values ?? [];
  if (privacy) retentionDays = privacy.retention_days;
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
    b.addEventListener('click', () => {
      lang = b.dataset.lang as Lang;
      localStorage.setItem(LANG_KEY, lang);
      applyLang();
      if (token) void showTracking(token);
    });
  }
  applyLang();
  if (token) return showTracking(token);
  form.addEventListener('submit', (e) => void submit(e));
  $('service_code').addEventListener('change', () => void refreshNearby());
  $('use-centre').addEventListener('click', () => {
    if (map) setPlace(map.getCenter().lng, map.getCenter().lat);
  });
  $('use-location').addEventListener('click', () => {
    navigator.geolocation?.getCurrentPosition(
      (p) => {
        setPlace(p.coords.longitude, p.coords.latitude);
        map?.flyTo({ center: [p.coords.longitude, p.coords.latitude], zoom: 17 });
      },
      () => void showErrors([{ field: undefined, message: text(lang, 'locationFailed') }]),
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  });
  await setupMap();
}

void start();
