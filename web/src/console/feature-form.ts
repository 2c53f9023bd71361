// The attribute form of one lot: every editable field of the layer description, saved with PATCH and
// If-Match; a 422 shows its reason next to the field it names; a 412/409 shows the current values and
// lets the person re-apply their changes on top of them.
import { getLang, pick } from '../i18n.ts';
import { ApiError, messageIn, type StaffApi } from './staff-api.ts';
import { lt } from './lots-strings.ts';
import { editableFields, formatValue, readInput, writeInput } from './lot-values.ts';
import type { LoadedLot, LotFeature, StaffField } from './lot-types.ts';

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface LotForm {
  show(loaded: LoadedLot | null): void;
  relabel(): void;
}

interface LotFormOptions {
  api: StaffApi;
  fields: readonly StaffField[];
  announce: (message: string) => void;
  onChanged: (loaded: LoadedLot) => void;
}

/** Read-only facts shown above the form. */
const FACTS = ['area_m2', 'status_changed_at', 'version'];

function inputFor(field: StaffField): Input {
  if (field.values) {
    const select = document.createElement('select');
    if (!field.required) select.append(new Option('', ''));
    for (const v of field.values) select.append(new Option(v.value, v.value));
    return select;
  }
  if (field.name === 'notes') return document.createElement('textarea');
  const input = document.createElement('input');
  input.type = { boolean: 'checkbox', date: 'date', number: 'number', integer: 'number' }[field.type] ?? 'text';
  if (field.type === 'number') input.step = 'any';
  if (field.format === 'siret') input.inputMode = 'numeric';
  return input;
}

export function createLotForm(root: HTMLElement, options: LotFormOptions): LotForm {
  const { api, fields, announce } = options;
  const editable = editableFields(fields);
  const fieldByName = new Map(fields.map((f) => [f.name, f]));
  root.innerHTML = `
    <h3 class="lot-form-heading"></h3>
    <dl class="lot-facts"></dl>
    <div class="conflict" role="alert" hidden>
      <h4></h4><p></p><ul></ul>
      <div class="button-row"><button type="button" class="primary-button" data-act="reapply"></button>
      <button type="button" class="secondary-button" data-act="discard"></button></div>
    </div>
    <form class="lot-form" novalidate>
      <div class="lot-fields"></div>
      <p class="form-error" role="alert"></p>
      <button type="submit" class="primary-button"></button>
    </form>
    <p class="lot-empty"></p>`;
  const heading = root.querySelector<HTMLElement>('.lot-form-heading')!;
  const facts = root.querySelector<HTMLElement>('.lot-facts')!;
  const conflict = root.querySelector<HTMLElement>('.conflict')!;
  const form = root.querySelector<HTMLFormElement>('form')!;
  const formError = form.querySelector<HTMLElement>('.form-error')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  const empty = root.querySelector<HTMLElement>('.lot-empty')!;

  const rows = editable.map((field) => {
    const wrap = document.createElement('div');
    wrap.className = field.type === 'boolean' ? 'field field-check' : 'field';
    const input = inputFor(field);
    input.id = `lot-${field.name}`;
    input.name = field.name;
    const label = document.createElement('label');
    label.htmlFor = input.id;
    const error = document.createElement('p');
    error.id = `lot-${field.name}-error`;
    error.className = 'field-error';
    input.setAttribute('aria-describedby', error.id);
    if (field.type === 'boolean') wrap.append(input, label, error);
    else wrap.append(label, input, error);
    form.querySelector('.lot-fields')!.append(wrap);
    return { field, input, label, error };
  });

  let base: LoadedLot | null = null;
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
      const stored = base.lot.properties[field.name] ?? (field.type === 'boolean' ? false : null);
      if (value !== stored) out[field.name] = value;
    }
    return out;
  };

  const renderLabels = () => {
    submit.textContent = lt('save');
    empty.textContent = lt('noLot');
    conflict.querySelector('h4')!.textContent = lt('conflictHeading');
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
      heading.textContent = lt('formHeading', { n: base.lot.properties.lot_number });
      facts.replaceChildren(...FACTS.flatMap((name) => {
        const dt = document.createElement('dt');
        dt.textContent = pick(fieldByName.get(name)?.label);
        const dd = document.createElement('dd');
        dd.textContent = formatValue(fieldByName.get(name), base!.lot.properties[name]);
        return [dt, dd];
      }));
    }
    if (errorText) formError.textContent = errorText();
  };

  const show = (loaded: LoadedLot | null) => {
    base = loaded;
    pending = null;
    conflict.hidden = true;
    clearErrors();
    form.hidden = heading.hidden = facts.hidden = !loaded;
    empty.hidden = !!loaded;
    if (loaded) for (const { field, input } of rows) writeInput(field, input, loaded.lot.properties[field.name]);
    renderLabels();
  };

  const showConflict = (current: LotFeature, etag: string | null, mine: Record<string, unknown>) => {
    pending = mine;
    base = { lot: current, etag };
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
      const { body, etag } = await api.send<LotFeature>('PATCH', `/api/lots/${base.lot.id}`, { ...mine, version: base.lot.properties.version }, base.etag);
      const saved = { lot: body, etag };
      show(saved);
      announce(lt('lotSaved', { n: body.properties.lot_number }));
      options.onChanged(saved);
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      const current = caught.details.current as LotFeature | undefined;
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
