// The attribute form of one feature (a lot, a zone), built from the staff layer description: one input
// per editable field (a code list as a select labelled in the current language, bounds on a year),
// saved with PATCH and If-Match; a 422 shows its reason next to the field it names; a 412/409 shows the
// current values and lets the person re-apply their changes on top of them.
import type { Feature } from 'geojson';
import { getLang, pick } from '../i18n.ts';
import { ApiError, messageIn, type StaffApi } from './staff-api.ts';
import { lt } from './lots-strings.ts';
import { formatValue, readInput, writeInput } from './lot-values.ts';
import type { StaffField } from './lot-types.ts';

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A feature as the API gives it to staff: an integer id and a version its edits name. */
export type EditedFeature = Feature<Feature['geometry'], Record<string, unknown> & { version: number }> & { id: number };

/** A feature as read with its ETag, which every change of it sends back as If-Match. */
export interface LoadedFeature<F extends EditedFeature> {
  feature: F;
  etag: string | null;
}

export interface FeatureForm<F extends EditedFeature> {
  show(loaded: LoadedFeature<F> | null): void;
  relabel(): void;
}

export interface FeatureFormOptions<F extends EditedFeature> {
  api: StaffApi;
  /** The layer's fields (for labels of facts and conflicts) and, of them, those the form edits. */
  fields: readonly StaffField[];
  editable: readonly StaffField[];
  /** Prefix of the inputs' ids (`lot` → `#lot-status`), unique in the page. */
  idPrefix: string;
  /** Read-only facts shown above the form. */
  facts: readonly string[];
  /** The feature's API path, which PATCH goes to. */
  path: (id: number) => string;
  heading: (feature: F) => string;
  /** Announced once a change is saved. */
  saved: (feature: F) => string;
  /** Shown with the current values when someone else changed the feature meanwhile. */
  conflictHeading: () => string;
  empty: () => string;
  announce: (message: string) => void;
  onChanged: (loaded: LoadedFeature<F>) => void;
}

/** Free text longer than a line gets a text area. */
const LONG_TEXT = new Set(['notes', 'description']);

function inputFor(field: StaffField): Input {
  if (field.values) {
    const select = document.createElement('select');
    if (!field.required) select.append(new Option('', ''));
    for (const v of field.values) select.append(new Option(v.value, v.value));
    return select;
  }
  if (LONG_TEXT.has(field.name)) return document.createElement('textarea');
  const input = document.createElement('input');
  input.type = { boolean: 'checkbox', date: 'date', number: 'number', integer: 'number' }[field.type] ?? 'text';
  if (field.type === 'number') input.step = 'any';
  if (field.type === 'integer') input.step = '1';
  if (field.range) {
    input.min = String(field.range.min);
    input.max = String(field.range.max);
  }
  if (field.format === 'siret') input.inputMode = 'numeric';
  return input;
}

export function createFeatureForm<F extends EditedFeature>(root: HTMLElement, options: FeatureFormOptions<F>): FeatureForm<F> {
  const { api, fields, editable, announce, idPrefix } = options;
  const fieldByName = new Map(fields.map((f) => [f.name, f]));
  root.innerHTML = `
    <h3 class="form-heading"></h3>
    <dl class="form-facts"></dl>
    <div class="conflict" role="alert" hidden>
      <h4></h4><p></p><ul></ul>
      <div class="button-row"><button type="button" class="primary-button" data-act="reapply"></button>
      <button type="button" class="secondary-button" data-act="discard"></button></div>
    </div>
    <form class="feature-form" novalidate>
      <div class="form-fields"></div>
      <p class="form-error" role="alert"></p>
      <button type="submit" class="primary-button"></button>
    </form>
    <p class="form-empty"></p>`;
  const heading = root.querySelector<HTMLElement>('.form-heading')!;
  const facts = root.querySelector<HTMLElement>('.form-facts')!;
  const conflict = root.querySelector<HTMLElement>('.conflict')!;
  const form = root.querySelector<HTMLFormElement>('form')!;
  const formError = form.querySelector<HTMLElement>('.form-error')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const empty = root.querySelector<HTMLElement>('.form-empty')!;

  const rows = editable.map((field) => {
    const wrap = document.createElement('div');
    wrap.className = field.type === 'boolean' ? 'field field-check' : 'field';
    const input = inputFor(field);
    input.id = `${idPrefix}-${field.name}`;
    input.name = field.name;
    const label = document.createElement('label');
    label.htmlFor = input.id;
    const error = document.createElement('p');
    error.id = `${idPrefix}-${field.name}-error`;
    error.className = 'field-error';
    input.setAttribute('aria-describedby', error.id);
    if (field.type === 'boolean') wrap.append(input, label, error);
    else wrap.append(label, input, error);
    form.querySelector('.form-fields')!.append(wrap);
    return { field, input, label, error };
  });

  let base: LoadedFeature<F> | null = null;
  /** The changes refused for a conflict, kept to re-apply on the current values. */
  let pending: Record<string, unknown> | null = null;
  let errorText: (() => string) | null = null;

  const clearErrors = () => {
    errorText = null;
    formError.textContent = '';
    for (const row of rows) {
      row.error.textContent = '';
      row.input.removeAttribute('aria-invalid');
    }
  };
  const changes = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (!base) return out;
    for (const { field, input } of rows) {
      const value = readInput(field, input);
      const stored = base.feature.properties[field.name] ?? (field.type === 'boolean' ? false : null);
      if (value !== stored) out[field.name] = value;
    }
    return out;
  };

  const renderLabels = () => {
    submit.textContent = lt('save');
    empty.textContent = options.empty();
    conflict.querySelector('h4')!.textContent = options.conflictHeading();
    conflict.querySelector('p')!.textContent = lt('conflictText');
    conflict.querySelector('[data-act="reapply"]')!.textContent = lt('reapply');
    conflict.querySelector('[data-act="discard"]')!.textContent = lt('discard');
    for (const { field, label, input } of rows) {
      label.textContent = pick(field.label);
      if (input instanceof HTMLSelectElement && field.values) {
        for (const option of input.options) {
          const code = field.values.find((v) => v.value === option.value);
          option.textContent = code ? pick(code.label) : lt('unset');
        }
      }
    }
    if (base) {
      heading.textContent = options.heading(base.feature);
      facts.replaceChildren(...options.facts.flatMap((name) => {
        const dt = document.createElement('dt');
        dt.textContent = pick(fieldByName.get(name)?.label);
        const dd = document.createElement('dd');
        dd.textContent = formatValue(fieldByName.get(name), base!.feature.properties[name]);
        return [dt, dd];
      }));
    }
    if (errorText) formError.textContent = errorText();
  };

  const show = (loaded: LoadedFeature<F> | null) => {
    base = loaded;
    pending = null;
    conflict.hidden = true;
    clearErrors();
    form.hidden = heading.hidden = !loaded;
    facts.hidden = !loaded || options.facts.length === 0;
    empty.hidden = !!loaded;
    if (loaded) for (const { field, input } of rows) writeInput(field, input, loaded.feature.properties[field.name]);
    renderLabels();
  };

  const showConflict = (current: F, etag: string | null, mine: Record<string, unknown>) => {
    pending = mine;
    base = { feature: current, etag };
    const list = conflict.querySelector('ul')!;
    list.replaceChildren(...Object.keys(mine).map((name) => {
      const item = document.createElement('li');
      const field = fieldByName.get(name);
      item.textContent = `${pick(field?.label)} : ${formatValue(field, current.properties[name])}`;
      return item;
    }));
    conflict.hidden = false;
    conflict.querySelector<HTMLButtonElement>('[data-act="reapply"]')!.focus();
  };

  const save = async (mine: Record<string, unknown>) => {
    if (!base) return;
    clearErrors();
    conflict.hidden = true;
    if (Object.keys(mine).length === 0) return;
    submit.disabled = true;
    submit.textContent = lt('saving');
    try {
      const { body, etag } = await api.send<F>('PATCH', options.path(base.feature.id), { ...mine, version: base.feature.properties.version }, base.etag);
      const saved = { feature: body, etag };
      show(saved);
      announce(options.saved(body));
      options.onChanged(saved);
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      const current = caught.details.current as F | undefined;
      if ((caught.status === 412 || caught.status === 409) && current) {
        showConflict(current, (caught.details.etag as string | undefined) ?? null, mine);
        return;
      }
      const row = rows.find((r) => r.field.name === caught.field);
      if (row) {
        row.error.textContent = messageIn(getLang(), caught.message);
        row.input.setAttribute('aria-invalid', 'true');
        row.input.focus();
      } else {
        errorText = () => lt('error', { message: messageIn(getLang(), caught.message) });
        formError.textContent = errorText();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = lt('save');
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save(changes());
  });
  conflict.querySelector('[data-act="reapply"]')!.addEventListener('click', () => {
    const mine = pending ?? {};
    if (base) options.onChanged(base);
    void save(mine);
  });
  conflict.querySelector('[data-act="discard"]')!.addEventListener('click', () => {
    if (!base) return;
    show(base);
    options.onChanged(base);
  });

  show(null);
  return { show, relabel: renderLabels };
}
