// One account's audit history (GET /api/users/{id}/history): what the person did, when, on what,
// and what changed (before → after), newest first.
import type { AuditRecord } from '../../../server/audit/audit-log.ts';
import { el, formatDateTime, type Texts } from './panel-dom.ts';
import { actionLabel, type AccountsKey } from './accounts-strings.ts';

/** Changed fields shown per entry (the rest are in the audit log). */
const SHOWN_FIELDS = 6;

function text(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** "status: available → sold; price_per_m2: 30 → 35" from an entry's before and after. */
export function describeChange(details: Record<string, unknown> | null): string {
  const before = (details?.before ?? {}) as Record<string, unknown>;
  const after = (details?.after ?? {}) as Record<string, unknown>;
  if (typeof before !== 'object' || typeof after !== 'object') return '';
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'geometry' && text(before[k]) !== text(after[k]));
  const shown = keys.slice(0, SHOWN_FIELDS).map((k) => `${k} : ${k in before ? text(before[k]) : '∅'} → ${k in after ? text(after[k]) : '∅'}`);
  return shown.join(' ; ') + (keys.length > SHOWN_FIELDS ? ' …' : '');
}

function targetOf(entry: AuditRecord, emailOf: (id: number) => string | undefined): string {
  if (entry.layer) return `${entry.layer}${entry.feature_id ? ` #${entry.feature_id}` : ''}`;
  // Account changes name the account (`account`); a creation holds it as `after`.
  const after = entry.details?.after as { id?: unknown; email?: unknown } | undefined;
  const account = entry.details?.account ?? after?.id;
  if (typeof account === 'number') return emailOf(account) ?? (typeof after?.email === 'string' ? after.email : `#${account}`);
  return '';
}

/** The history table (or a line saying there is none). */
export function renderHistory(texts: Texts<AccountsKey>, entries: AuditRecord[], emailOf: (id: number) => string | undefined): HTMLElement {
  if (!entries.length) return texts.text('p', 'historyEmpty');
  const head = el('tr', {}, ...(['colWhen', 'colAction', 'colTarget', 'colDetails'] as const).map((k) => texts.text('th', k, { scope: 'col' })));
  const rows = entries.map((entry) =>
    el(
      'tr',
      { 'data-action': entry.action },
      el('td', {}, formatDateTime(texts.current, entry.at)),
      el('td', {}, actionLabel(texts.current, entry.action)),
      el('td', {}, targetOf(entry, emailOf)),
      el('td', { class: 'audit-change' }, describeChange(entry.details)),
    ),
  );
  return el('div', { class: 'console-table-wrap' }, el('table', { class: 'console-table' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}
