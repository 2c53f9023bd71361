// The search box: an ARIA 1.2 combobox with a listbox of suggestions fetched as you type (debounced,
// stale answers dropped), driven by arrows, Enter and Escape, its result count announced politely and
// "no result" or a failure shown on screen as well.
import type { SearchResult } from './eligibility-api.ts';
import { searchPlaces } from './eligibility-api.ts';
import { tx, type AnswerStringKey } from './eligibility-text.ts';
import { onLangChange } from './i18n.ts';

/** Wait after the last keystroke before asking the server: one request per pause, not per key. */
const DEBOUNCE_MS = 250;
/** Fewer characters match too much to be worth suggesting. */
const MIN_CHARS = 2;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  return el;
}

/** What is said on screen too (the counts are only announced: the open list already shows them). */
const SHOWN: ReadonlySet<AnswerStringKey> = new Set(['noResult', 'searchError']);

/** Builds the search box into `container`; `onChoose` receives the picked suggestion and whether a key picked it. */
export function createSearchBox(container: HTMLElement, onChoose: (result: SearchResult, byKeyboard: boolean) => void): void {
  container.setAttribute('role', 'search');
  const label = element('label', 'visually-hidden');
  label.htmlFor = 'search-input';
  const input = element('input', 'search-input');
  input.id = 'search-input';
  input.type = 'search';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'search-results');
  const list = element('ul', 'search-results');
  list.id = 'search-results';
  list.setAttribute('role', 'listbox');
  list.hidden = true;
  const status = element('div', 'search-status visually-hidden');
  status.id = 'search-status';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  container.append(label, input, list, status);

  let results: SearchResult[] = [];
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: AbortController | undefined;
  let statusKey: { key: AnswerStringKey; n?: number } | null = null;

  const relabel = (): void => {
    label.textContent = tx('searchLabel');
    input.placeholder = tx('searchPlaceholder');
    list.setAttribute('aria-label', tx('suggestions'));
    if (statusKey) status.textContent = tx(statusKey.key, { n: statusKey.n ?? 0 });
    renderOptions();
  };

  const announce = (key: AnswerStringKey | null, n?: number): void => {
    statusKey = key ? { key, n } : null;
    status.textContent = key ? tx(key, { n: n ?? 0 }) : '';
    status.classList.toggle('visually-hidden', !key || !SHOWN.has(key));
  };

  const setOpen = (open: boolean): void => {
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (!open) setActive(-1);
  };

  const setActive = (index: number): void => {
    active = index;
    for (const [i, option] of [...list.children].entries()) option.setAttribute('aria-selected', String(i === index));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', `search-option-${index}`);
      list.children[index]?.scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  function renderOptions(): void {
    list.replaceChildren(...results.map((result, i) => {
      const option = element('li', 'search-option');
      option.id = `search-option-${i}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', String(i === active));
      option.dataset.kind = result.properties.kind;
      const text = element('span', 'search-option-label');
      text.textContent = result.properties.label;
      const kind = element('span', 'search-option-kind');
      kind.textContent = tx(`kind_${result.properties.kind}` as AnswerStringKey);
      option.append(text, kind);
      // mousedown, not click: the input keeps its focus, so the list does not close first.
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        choose(i);
      });
      return option;
    }));
  }

  const choose = (index: number, byKeyboard = false): void => {
    const result = results[index];
    if (!result) return;
    input.value = result.properties.label;
    setOpen(false);
    announce(null);
    onChoose(result, byKeyboard);
  };

  const search = async (text: string): Promise<void> => {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    try {
      const found = await searchPlaces(text, controller.signal);
      if (controller.signal.aborted || input.value.trim() !== text) return;
      results = found;
      active = -1;
      renderOptions();
      setOpen(found.length > 0);
      announce(found.length === 0 ? 'noResult' : found.length === 1 ? 'resultOne' : 'resultsCount', found.length);
    } catch (error) {
      if (controller.signal.aborted) return;
      console.error(error);
      results = [];
      renderOptions();
      setOpen(false);
      announce('searchError');
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    // The server refuses text without a letter or digit; there is nothing to suggest for it anyway.
    if (text.length < MIN_CHARS || !/[\p{L}\p{N}]/u.test(text)) {
      pending?.abort();
      results = [];
      renderOptions();
      setOpen(false);
      announce(null);
      return;
    }
    timer = setTimeout(() => void search(text), DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const count = results.length;
    switch (event.key) {
      case 'ArrowDown':
        if (count === 0) return;
        event.preventDefault();
        if (list.hidden) setOpen(true);
        setActive((active + 1) % count);
        break;
      case 'ArrowUp':
        if (count === 0) return;
        event.preventDefault();
        if (list.hidden) setOpen(true);
        setActive(active <= 0 ? count - 1 : active - 1);
        break;
      case 'Enter':
        if (list.hidden || count === 0) return;
        event.preventDefault();
        choose(active >= 0 ? active : 0, true);
        break;
      case 'Escape':
        event.preventDefault();
        if (!list.hidden) setOpen(false);
        else input.value = '';
        break;
      case 'Tab':
        setOpen(false);
        break;
    }
  });
  input.addEventListener('blur', () => setOpen(false));

  relabel();
  onLangChange(relabel);
}
