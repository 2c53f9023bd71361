// A lot's history: each audited change (who, when, fields before → after), where it came from
// (lineage), and the button undoing one's own last edit as a new audited change.
import { getLang, pick } from '../i18n.ts';
import { ApiError, messageIn, type StaffApi } from './staff-api.ts';
import { lt, type LotsKey } from './lots-strings.ts';
import { formatValue } from './lot-values.ts';
import type { AuditEntry, LoadedLot, LotFeature, LotHistory, StaffField } from './lot-types.ts';

export interface LotHistoryView {
  /** Reads and shows the history of lot `id` (null empties the view). */
  load(id: number | null): Promise<void>;
  relabel(): void;
}

const ACTIONS: Record<string, LotsKey> = {
  lot_created: 'actionLotCreated',
  lot_updated: 'actionLotUpdated',
  lot_deleted: 'actionLotDeleted',
  lot_split: 'actionLotSplit',
  lots_merged: 'actionLotMerged',
};

/** Fields worth listing in a change: the whole lot of a creation is summed up by its number and status. */
const SUMMARY = ['lot_number', 'status'];

interface Options {
  api: StaffApi;
  fields: readonly StaffField[];
  announce: (message: string) => void;
  onUndone: (loaded: LoadedLot) => void;
}

export function createLotHistory(root: HTMLElement, options: Options): LotHistoryView {
  const fieldByName = new Map(options.fields.map((f) => [f.name, f]));
  root.innerHTML = `<h3></h3><p class="lot-lineage"></p><ol class="history-list"></ol>
    <p class="form-error" role="alert"></p>
    <button type="button" class="secondary-button" data-act="undo"></button>`;
  const heading = root.querySelector('h3')!;
  const lineage = root.querySelector<HTMLElement>('.lot-lineage')!;
  const list = root.querySelector<HTMLOListElement>('.history-list')!;
  const error = root.querySelector<HTMLElement>('.form-error')!;
  const undo = root.querySelector<HTMLButtonElement>('[data-act="undo"]')!;
  let lotId: number | null = null;
  let history: LotHistory | null = null;

  const describe = (entry: AuditEntry): HTMLLIElement => {
    const item = document.createElement('li');
    item.className = 'history-entry';
    const head = document.createElement('p');
    const when = new Date(entry.at).toLocaleString(getLang() === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
    const action = ACTIONS[entry.action] ? lt(ACTIONS[entry.action]!) : entry.action;
    head.textContent = `${when} — ${action} — ${lt('by', { who: entry.user?.email ?? lt('unknownUser') })}`;
    item.append(head);
    const before = entry.details?.before ?? {};
    const after = entry.details?.after ?? {};
    const whole = entry.action !== 'lot_updated';
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((name) => !whole || SUMMARY.includes(name) || name === 'properties');
    const props = (side: Record<string, unknown>) =>
      (whole && typeof side.properties === 'object' && side.properties ? side.properties : side) as Record<string, unknown>;
    const shown = whole ? SUMMARY : names;
    const changes = document.createElement('ul');
    for (const name of shown) {
      const b = props(before)[name];
      const a = props(after)[name];
      if (b === undefined && a === undefined) continue;
      const line = document.createElement('li');
      const label = name === 'geometry' ? lt('geometry') : pick(fieldByName.get(name)?.label) || name;
      line.textContent = `${label} : ${lt('before')} ${formatValue(fieldByName.get(name), b)} → ${lt('after')} ${formatValue(fieldByName.get(name), a)}`;
      changes.append(line);
    }
    if (changes.childElementCount) item.append(changes);
    return item;
  };

  const render = () => {
    heading.textContent = lt('historyHeading');
    undo.textContent = lt('undo');
    root.hidden = lotId === null;
    const entries = history?.entries ?? [];
    list.replaceChildren(...entries.map(describe));
    if (entries.length === 0) {
      const none = document.createElement('li');
      none.textContent = lt('historyEmpty');
      list.append(none);
    }
    const parents = [...new Set((history?.lineage.parents ?? []).map((p) => p.id))];
    lineage.textContent = parents.length ? lt('lineage', { ids: parents.join(', ') }) : '';
  };

  const load = async (id: number | null) => {
    lotId = id;
    history = null;
    error.textContent = '';
    if (id !== null) {
      try {
        history = (await options.api.get<LotHistory>(`/api/lots/${id}/history`)).body;
      } catch (caught) {
        if (!(caught instanceof ApiError)) throw caught;
        error.textContent = lt('error', { message: messageIn(getLang(), caught.message) });
      }
    }
    if (id === lotId) render();
  };

  undo.addEventListener('click', async () => {
    if (lotId === null) return;
    error.textContent = '';
    try {
      const { body, etag } = await options.api.send<LotFeature>('POST', `/api/lots/${lotId}/undo`);
      options.announce(lt('undone'));
      options.onUndone({ lot: body, etag });
      await load(lotId);
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      error.textContent = messageIn(getLang(), caught.message);
    }
  });

  render();
  return { load, relabel: render };
}
