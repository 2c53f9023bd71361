// The console's Accounts tab (admins only): list accounts, create one (with a typed or generated
// password, shown once), disable or enable it, change its role, give it a new password — each
// after a confirmation — and read what an account did (its audit history).
import './imports-accounts.css';
import type { Lang } from '../api.ts';
import type { Account } from '../../../server/auth/accounts.ts';
import type { AuditRecord } from '../../../server/audit/audit-log.ts';
import type { ConsoleContext, ConsolePanel } from './panel.ts';
import { ApiError, messageIn, type StaffRole } from './staff-api.ts';
import { confirmDialog } from './confirm-dialog.ts';
import { el, formatDateTime, setFieldError, Texts, type TextParams } from './panel-dom.ts';
import { accountsText, type AccountsKey } from './accounts-strings.ts';
import { renderHistory } from './accounts-history.ts';
import { generatePassword } from './generated-password.ts';

const ROLES: readonly StaffRole[] = ['staff', 'admin'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 12;

/** The Accounts tab, for admins. */
export const accountsPanel: ConsolePanel = {
  id: 'accounts',
  label: { fr: accountsText('fr', 'tab'), en: accountsText('en', 'tab') },
  roles: ['admin'],
  mount(root, context) {
    const panel = new AccountsPanel(root, context);
    void panel.load();
    return { relabel: (lang: Lang) => panel.relabel(lang) };
  },
};

class AccountsPanel {
  private readonly texts: Texts<AccountsKey>;
  private accounts: Account[] = [];
  private listFailure: string | null = null;
  private history: { account: Account; entries: AuditRecord[] | null; failure: string | null } | null = null;

  private readonly email: HTMLInputElement;
  private readonly role: HTMLSelectElement;
  private readonly password: HTMLInputElement;
  private readonly emailError: HTMLElement;
  private readonly passwordError: HTMLElement;
  private readonly formError: HTMLElement;
  private readonly secret: HTMLElement;
  private readonly list: HTMLElement;
  private readonly historyBox: HTMLElement;
  private readonly message: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly context: ConsoleContext,
  ) {
    const texts = (this.texts = new Texts(accountsText, context.lang()));
    this.email = el('input', { id: 'account-email', name: 'email', type: 'email', autocomplete: 'off', required: true, spellcheck: 'false' });
    this.role = el('select', { id: 'account-role', name: 'role' });
    this.password = el('input', { id: 'account-password', name: 'password', type: 'password', autocomplete: 'new-password', minlength: MIN_PASSWORD });
    this.emailError = el('p', { id: 'account-email-error', class: 'field-error', hidden: true });
    this.passwordError = el('p', { id: 'account-password-error', class: 'field-error', hidden: true });
    this.formError = el('p', { id: 'account-form-error', class: 'form-error', role: 'alert', hidden: true });
    this.fillRoles(this.role, 'staff');
    const form = el(
      'form',
      { class: 'console-form account-form', novalidate: true, 'aria-labelledby': 'account-create-heading' },
      texts.text('h3', 'createHeading', { id: 'account-create-heading' }),
      el('div', { class: 'field' }, texts.text('label', 'email', { for: 'account-email' }), this.email, this.emailError),
      el('div', { class: 'field' }, texts.text('label', 'role', { for: 'account-role' }), this.role),
      el('div', { class: 'field' }, texts.text('label', 'password', { for: 'account-password' }), this.password, this.passwordError),
      this.formError,
      el('div', { class: 'button-row' }, texts.text('button', 'create', { type: 'submit', class: 'primary-button' })),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create(form);
    });
    this.secret = el('div', { class: 'account-secret', hidden: true });
    this.message = el('p', { class: 'form-error', role: 'alert', hidden: true });
    this.list = el('div', { class: 'account-list' });
    this.historyBox = el('section', { class: 'account-history', 'aria-labelledby': 'account-history-heading', hidden: true });
    root.replaceChildren(
      el(
        'section',
        { class: 'accounts-panel', 'aria-labelledby': 'accounts-heading' },
        texts.text('h2', 'heading', { id: 'accounts-heading' }),
        this.secret,
        this.message,
        el('section', { 'aria-labelledby': 'account-list-heading' }, texts.text('h3', 'listHeading', { id: 'account-list-heading' }), this.list),
        this.historyBox,
        form,
      ),
    );
  }

  async load(): Promise<void> {
    try {
      this.accounts = (await this.context.api.get<{ users: Account[] }>('/api/users')).body.users;
      this.listFailure = null;
    } catch (error) {
      this.listFailure = this.reason(error);
    }
    this.renderList();
  }

  relabel(lang: Lang): void {
    this.texts.relabel(lang);
    this.fillRoles(this.role, this.role.value as StaffRole);
    this.renderList();
    this.renderHistory();
  }

  private fillRoles(select: HTMLSelectElement, chosen: StaffRole): void {
    select.replaceChildren(...ROLES.map((role) => el('option', { value: role, selected: role === chosen }, this.texts.t(`role_${role}`))));
  }

  private renderList(): void {
    const { texts } = this;
    if (this.listFailure !== null) {
      this.list.replaceChildren(texts.text('p', 'listError', { role: 'alert' }, { reason: this.listFailure }));
      return;
    }
    const head = el('tr', {}, ...(['colEmail', 'colRole', 'colState', 'colCreated', 'colActions'] as const).map((k) => texts.text('th', k, { scope: 'col' })));
    const rows = this.accounts.map((account) => this.renderRow(account));
    this.list.replaceChildren(el('div', { class: 'console-table-wrap' }, el('table', { class: 'console-table accounts-table' }, el('thead', {}, head), el('tbody', {}, ...rows))));
    texts.prune();
  }

  private renderRow(account: Account): HTMLElement {
    const { texts } = this;
    const self = account.id === this.context.user.id;
    const role = el('select', { 'aria-label': texts.t('roleOf', { email: account.email }), disabled: self, 'data-account-role': account.id });
    this.fillRoles(role, account.role);
    role.addEventListener('change', () => void this.changeRole(account, role));
    const toggle = texts.text('button', account.disabled ? 'enable' : 'disable', { type: 'button', class: 'secondary-button', disabled: self, 'data-account-toggle': account.id });
    toggle.addEventListener('click', () => void this.toggle(account));
    const reset = texts.text('button', 'resetPassword', { type: 'button', class: 'secondary-button', 'data-account-reset': account.id });
    reset.addEventListener('click', () => void this.reset(account));
    const history = texts.text('button', 'history', { type: 'button', class: 'secondary-button', 'data-account-history': account.id });
    history.addEventListener('click', () => void this.showHistory(account));
    return el(
      'tr',
      { 'data-account': account.id, 'data-email': account.email, class: account.disabled ? 'account-disabled' : undefined },
      el('th', { scope: 'row' }, account.email, self ? ' ' : '', self ? texts.text('span', 'you') : null),
      el('td', {}, role),
      texts.text('td', account.disabled ? 'disabled' : 'active', { 'data-state': account.disabled ? 'disabled' : 'active' }),
      el('td', {}, formatDateTime(texts.current, account.created_at)),
      el('td', {}, el('div', { class: 'button-row', role: 'group', 'aria-label': texts.t('actionsFor', { email: account.email }) }, toggle, reset, history)),
    );
  }

  private async create(form: HTMLFormElement): Promise<void> {
    this.hide(this.formError);
    const email = this.email.value.trim();
    const typed = this.password.value;
    const emailWrong = !EMAIL.test(email);
    const passwordWrong = typed !== '' && typed.length < MIN_PASSWORD;
    this.fieldError(this.email, this.emailError, emailWrong ? 'errorEmail' : null);
    this.fieldError(this.password, this.passwordError, passwordWrong ? 'errorPassword' : null);
    if (emailWrong || passwordWrong) {
      (emailWrong ? this.email : this.password).focus();
      return;
    }
    const password = typed || generatePassword();
    try {
      const { body } = await this.context.api.send<Account>('POST', '/api/users', { email, role: this.role.value, password });
      form.reset();
      this.fillRoles(this.role, 'staff');
      this.context.announce(this.texts.t('created', { email: body.email }));
      this.showSecret(body.email, typed ? null : password);
      await this.load();
    } catch (error) {
      const field = error instanceof ApiError ? error.field : undefined;
      const target = field === 'email' ? [this.email, this.emailError] : field === 'password' ? [this.password, this.passwordError] : null;
      if (target) {
        this.texts.unbind(target[1]!);
        setFieldError(target[0]!, target[1]!, this.reason(error));
        target[0]!.focus();
      } else this.showError(this.formError, error);
    }
  }

  /** Shows a generated password once, with a copy button, until the admin says it is noted. */
  private showSecret(email: string, password: string | null): void {
    if (password === null) {
      this.secret.hidden = true;
      this.secret.replaceChildren();
      return;
    }
    const value = el('code', { class: 'account-secret-value', id: 'account-secret-value' }, password);
    const copy = this.texts.text('button', 'copy', { type: 'button', class: 'secondary-button' });
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(password).then(() => this.context.announce(this.texts.t('copied')));
    });
    const done = this.texts.text('button', 'hidePassword', { type: 'button', class: 'secondary-button' });
    done.addEventListener('click', () => this.showSecret(email, null));
    const label = this.texts.text('p', 'generatedPassword', { id: 'account-secret-label' }, { email });
    this.secret.replaceChildren(label, value, el('div', { class: 'button-row' }, copy, done));
    this.secret.setAttribute('role', 'status');
    this.secret.hidden = false;
    copy.focus();
  }

  private ask(messageKey: AccountsKey, params: TextParams): Promise<boolean> {
    return confirmDialog(this.texts.t(messageKey, params), this.texts.t('confirmYes'));
  }

  private async toggle(account: Account): Promise<void> {
    const disable = !account.disabled;
    if (!(await this.ask(disable ? 'confirmDisable' : 'confirmEnable', { email: account.email }))) return;
    if (await this.patch(account, { disabled: disable })) {
      this.context.announce(this.texts.t(disable ? 'disabledDone' : 'enabledDone', { email: account.email }));
    }
  }

  private async changeRole(account: Account, select: HTMLSelectElement): Promise<void> {
    const role = select.value as StaffRole;
    const roleName = this.texts.t(`role_${role}`);
    if (!(await this.ask('confirmRole', { email: account.email, role: roleName })) || !(await this.patch(account, { role }))) {
      select.value = account.role;
      return;
    }
    this.context.announce(this.texts.t('roleDone', { email: account.email, role: roleName }));
  }

  /** PATCH /api/users/{id}; the list is read again either way (another admin may have acted). */
  private async patch(account: Account, change: { role?: StaffRole; disabled?: boolean }): Promise<boolean> {
    this.hide(this.message);
    let ok = true;
    try {
      await this.context.api.send('PATCH', `/api/users/${account.id}`, change);
    } catch (error) {
      ok = false;
      this.showError(this.message, error);
    }
    await this.load();
    this.list.querySelector<HTMLElement>(`[data-account="${account.id}"] button`)?.focus();
    return ok;
  }

  private async reset(account: Account): Promise<void> {
    if (!(await this.ask('confirmReset', { email: account.email }))) return;
    this.hide(this.message);
    const password = generatePassword();
    try {
      await this.context.api.send('POST', `/api/users/${account.id}/password`, { password });
    } catch (error) {
      this.showError(this.message, error);
      return;
    }
    this.context.announce(this.texts.t('resetDone', { email: account.email }));
    this.showSecret(account.email, password);
  }

  private async showHistory(account: Account): Promise<void> {
    this.history = { account, entries: null, failure: null };
    try {
      this.history.entries = (await this.context.api.get<{ entries: AuditRecord[] }>(`/api/users/${account.id}/history`)).body.entries;
    } catch (error) {
      this.history.failure = this.reason(error);
    }
    this.renderHistory();
    this.historyBox.querySelector<HTMLElement>('h3')?.focus();
  }

  private renderHistory(): void {
    const { texts, history } = this;
    this.historyBox.hidden = history === null;
    if (!history) {
      this.historyBox.replaceChildren();
      return;
    }
    const close = texts.text('button', 'historyClose', { type: 'button', class: 'secondary-button' });
    close.addEventListener('click', () => {
      const id = history.account.id;
      this.history = null;
      this.renderHistory();
      this.list.querySelector<HTMLElement>(`[data-account-history="${id}"]`)?.focus();
    });
    const emailOf = (id: number) => this.accounts.find((a) => a.id === id)?.email;
    const body = history.failure !== null
      ? texts.text('p', 'historyError', { role: 'alert' }, { reason: history.failure })
      : renderHistory(texts, history.entries ?? [], emailOf);
    this.historyBox.replaceChildren(
      el('div', { class: 'console-section-head' }, texts.text('h3', 'historyHeading', { id: 'account-history-heading', tabindex: -1 }, { email: history.account.email }), close),
      body,
    );
    texts.prune();
  }

  private fieldError(field: HTMLElement, node: HTMLElement, key: AccountsKey | null): void {
    if (key) this.texts.bind(node, key);
    else this.texts.unbind(node);
    setFieldError(field, node, key ? this.texts.t(key) : null);
  }

  private reason(error: unknown): string {
    if (error instanceof ApiError) return messageIn(this.texts.current, error.message);
    return this.texts.t('networkError', { reason: error instanceof Error ? error.message : String(error) });
  }

  private showError(node: HTMLElement, error: unknown): void {
    node.textContent = this.reason(error);
    node.hidden = false;
  }

  private hide(node: HTMLElement): void {
    node.hidden = true;
    node.textContent = '';
  }
}
