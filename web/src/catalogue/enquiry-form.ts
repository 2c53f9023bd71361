// The enquiry form of a lot page: labelled fields, a hidden honeypot, the consent line; on a refusal
// every faulty field is marked in place (aria-invalid + its message) and what was typed stays.
import { RequestError, sendEnquiry } from './catalogue-api.ts';
import { serverText, tr, type TextKey } from './catalogue-i18n.ts';

const FIELDS: { name: string; label: TextKey; type: string; required: boolean; max: number; autocomplete: AutoFill }[] = [
  { name: 'name', label: 'name', type: 'text', required: true, max: 100, autocomplete: 'name' },
  { name: 'company', label: 'company', type: 'text', required: false, max: 120, autocomplete: 'organization' },
  { name: 'email', label: 'email', type: 'email', required: true, max: 254, autocomplete: 'email' },
  { name: 'phone', label: 'phone', type: 'tel', required: false, max: 30, autocomplete: 'tel' },
];

/** Builds the form for `lotId` into `root`; `retentionDays` is stated in the consent line. */
export function mountEnquiryForm(root: HTMLElement, lotId: number, retentionDays: number): void {
  const form = document.createElement('form');
  form.className = 'cat-enquiry';
  form.noValidate = true;
  form.setAttribute('aria-labelledby', 'enquiry-heading');
  const heading = document.createElement('h3');
  heading.id = 'enquiry-heading';
  heading.textContent = tr('enquiryHeading');
  form.append(heading);

  const field = (name: string, label: string, control: HTMLInputElement | HTMLTextAreaElement, required: boolean) => {
    const wrap = document.createElement('div');
    wrap.className = 'cat-field';
    const id = `enquiry-${name}`;
    control.id = id;
    control.name = name;
    if (required) control.required = true;
    const lab = document.createElement('label');
    lab.htmlFor = id;
    lab.textContent = required ? `${label} *` : `${label} ${tr('optional')}`;
    const error = document.createElement('p');
    error.id = `${id}-error`;
    error.className = 'cat-field-error';
    control.setAttribute('aria-describedby', error.id);
    wrap.append(lab, control, error);
    form.append(wrap);
  };
  for (const f of FIELDS) {
    const input = document.createElement('input');
    input.type = f.type;
    input.maxLength = f.max;
    input.autocomplete = f.autocomplete;
    field(f.name, tr(f.label), input, f.required);
  }
  const message = document.createElement('textarea');
  message.rows = 5;
  message.maxLength = 2000;
  field('message', tr('message'), message, true);

  // The honeypot: out of sight and out of the Tab order; people leave it empty, bots fill it in.
  const trap = document.createElement('div');
  trap.className = 'cat-trap';
  trap.setAttribute('aria-hidden', 'true');
  const trapInput = document.createElement('input');
  trapInput.name = 'website';
  trapInput.tabIndex = -1;
  trapInput.autocomplete = 'off';
  trapInput.setAttribute('aria-label', tr('website'));
  trap.append(trapInput);
  form.append(trap);

  const consentWrap = document.createElement('div');
  consentWrap.className = 'cat-field cat-check';
  const consent = document.createElement('input');
  consent.type = 'checkbox';
  consent.id = 'enquiry-consent';
  consent.name = 'consent';
  const consentLabel = document.createElement('label');
  consentLabel.htmlFor = consent.id;
  consentLabel.textContent = tr('consent', { days: retentionDays });
  const consentError = document.createElement('p');
  consentError.id = 'enquiry-consent-error';
  consentError.className = 'cat-field-error';
  consent.setAttribute('aria-describedby', consentError.id);
  consentWrap.append(consent, consentLabel, consentError);
  form.append(consentWrap);

  const submit = document.createElement('button');
  submit.type = 'submit';
  submit.textContent = tr('send');
  const outcome = document.createElement('p');
  outcome.className = 'cat-outcome';
  outcome.setAttribute('role', 'status');
  outcome.setAttribute('aria-live', 'polite');
  form.append(submit, outcome);

  const clearErrors = () => {
    for (const el of form.querySelectorAll<HTMLElement>('[aria-invalid]')) el.removeAttribute('aria-invalid');
    for (const el of form.querySelectorAll<HTMLElement>('.cat-field-error')) el.textContent = '';
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const data = new FormData(form);
    const body: Record<string, unknown> = { consent: consent.checked };
    for (const name of ['name', 'company', 'email', 'phone', 'message', 'website']) body[name] = String(data.get(name) ?? '');
    submit.disabled = true;
    outcome.textContent = tr('sending');
    try {
      await sendEnquiry(lotId, body);
      form.reset();
      outcome.textContent = tr('sent');
    } catch (error) {
      const e = error instanceof RequestError ? error : new RequestError(0, String(error));
      for (const f of e.fields) {
        const control = form.querySelector<HTMLElement>(`#enquiry-${f.field}`);
        const text = form.querySelector<HTMLElement>(`#enquiry-${f.field}-error`);
        control?.setAttribute('aria-invalid', 'true');
        if (text) text.textContent = serverText(f.message);
      }
      outcome.textContent = e.status === 422 ? tr('fixErrors') : e.status === 429 ? tr('tooMany') : tr('failed');
      const first = e.fields[0] && form.querySelector<HTMLElement>(`#enquiry-${e.fields[0].field}`);
      first?.focus();
    } finally {
      submit.disabled = false;
    }
  });
  root.append(form);
}
