// Live regions: the loading state and the loading errors, announced to screen readers and shown on screen.
import type { Localized } from './api.ts';
import { onLangChange, pick, t, type StringKey } from './i18n.ts';

type Params = Record<string, string | number | Localized>;

const errors: { key: StringKey; params: Params }[] = [];

function render(key: StringKey, params: Params): string {
  const plain = Object.fromEntries(Object.entries(params).map(([name, value]) =>
    [name, typeof value === 'object' ? pick(value) : value]));
  return t(key, plain);
}

function renderErrors(): void {
  const region = document.getElementById('alerts');
  if (!region) return;
  region.replaceChildren(...errors.map(({ key, params }) => {
    const p = document.createElement('p');
    p.textContent = render(key, params);
    return p;
  }));
}

/**
 * Shows and announces an error; it stays until the page is reloaded. The region is never `hidden`:
 * screen readers only announce changes to live regions that were already in the accessibility tree.
 */
export function announceError(key: StringKey, params: Params = {}): void {
  errors.push({ key, params });
  renderErrors();
}

/** Marks the map as loading (aria-busy + a polite "loading" message) or done. */
export function setBusy(busy: boolean): void {
  document.getElementById('map')?.setAttribute('aria-busy', String(busy));
  const status = document.getElementById('status');
  if (status) status.textContent = busy ? t('loading') : '';
}

onLangChange(() => {
  renderErrors();
  const status = document.getElementById('status');
  if (status?.textContent) status.textContent = t('loading');
});
