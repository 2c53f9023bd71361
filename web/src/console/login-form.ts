// The log-in form: labelled e-mail and password, the server's refusal shown under the form in the
// reader's language (and announced), focus returned to the first field at fault.
import { getLang } from '../i18n.ts';
import { ct } from './console-strings.ts';
import { relabel } from './translate.ts';
import { ApiError, messageIn, type StaffApi, type StaffUser } from './staff-api.ts';

export interface LoginForm {
  show(): void;
  hide(): void;
  relabel(): void;
}

const MARKUP = `
  <form class="console-card login-form" novalidate aria-labelledby="login-heading">
    <h2 id="login-heading" data-ct="loginHeading"></h2>
    <div class="field">
      <label for="login-email" data-ct="email"></label>
      <input id="login-email" name="email" type="email" autocomplete="username" required aria-describedby="login-error" />
    </div>
    <div class="field">
      <label for="login-password" data-ct="password"></label>
      <input id="login-password" name="password" type="password" autocomplete="current-password" required aria-describedby="login-error" />
    </div>
    <p id="login-error" class="form-error" role="alert"></p>
    <button type="submit" class="primary-button" data-ct="login"></button>
  </form>`;

/** Builds the form into `root`; `onLogin` runs once the server accepted the credentials. */
export function createLoginForm(root: HTMLElement, api: StaffApi, onLogin: (user: StaffUser) => void): LoginForm {
  root.innerHTML = MARKUP;
  const form = root.querySelector('form')!;
  const email = form.querySelector<HTMLInputElement>('#login-email')!;
  const password = form.querySelector<HTMLInputElement>('#login-password')!;
  const error = form.querySelector<HTMLElement>('#login-error')!;
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  // The last refusal is kept as the server's bilingual text so a language switch re-renders it.
  let lastError: (() => string) | null = null;

  const showError = (message: (() => string) | null, field?: HTMLInputElement) => {
    lastError = message;
    error.textContent = message ? message() : '';
    for (const input of [email, password]) input.setAttribute('aria-invalid', String(input === field));
    field?.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const missing = [email, password].find((input) => input.value.trim() === '');
    if (missing) return showError(() => ct('fieldRequired'), missing);
    submit.disabled = true;
    submit.textContent = ct('loggingIn');
    try {
      const user = await api.login(email.value.trim(), password.value);
      password.value = '';
      showError(null);
      onLogin(user);
    } catch (caught) {
      if (caught instanceof ApiError) showError(() => messageIn(getLang(), caught.message), caught.status === 401 ? password : email);
      else showError(() => ct('serverUnreachable'));
    } finally {
      submit.disabled = false;
      submit.textContent = ct('login');
    }
  });

  const relabelForm = () => {
    relabel(root, 'ct', ct);
    if (lastError) error.textContent = lastError();
  };
  relabelForm();
  return {
    show() {
      root.hidden = false;
      email.focus();
    },
    hide() {
      root.hidden = true;
      showError(null);
    },
    relabel: relabelForm,
  };
}
