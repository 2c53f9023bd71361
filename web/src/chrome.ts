// The page chrome around the map: the collapsible layer panel and the FR/EN switch.
import type { Lang } from './api.ts';
import { getLang, onLangChange } from './i18n.ts';

/** Phones get the panel as a bottom sheet, closed at first so the map is visible. */
const PHONE_QUERY = '(max-width: 639px)';

/**
 * Wires the "Layers" button to show/hide the panel; `onToggle` lets the map refit its canvas. Returns
 * what closes the bottom sheet on a phone, so a selection's answer never opens on top of it.
 */
export function setupPanelToggle(onToggle: () => void): () => void {
  const button = document.getElementById('panel-toggle');
  const panel = document.getElementById('layers-panel');
  if (!button || !panel) return () => {};
  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('panel-open', open);
    onToggle();
  };
  setOpen(!window.matchMedia(PHONE_QUERY).matches);
  button.addEventListener('click', () => {
    const open = panel.hidden;
    setOpen(open);
    if (open) panel.querySelector<HTMLElement>('input, button')?.focus();
  });
  // Escape closes the bottom sheet on phones and gives focus back to its button.
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && window.matchMedia(PHONE_QUERY).matches) {
      setOpen(false);
      button.focus();
    }
  });
  return () => {
    if (window.matchMedia(PHONE_QUERY).matches && !panel.hidden) setOpen(false);
  };
}

/** Wires the FR/EN toggle buttons (aria-pressed reflects the current language). */
export function setupLanguageSwitch(onSelect: (lang: Lang) => void): void {
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('.lang-switch button[data-lang]')];
  const sync = (lang: Lang): void => {
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  };
  for (const button of buttons) {
    button.addEventListener('click', () => {
      const lang = button.dataset.lang === 'en' ? 'en' : 'fr';
      if (lang !== getLang()) onSelect(lang);
    });
  }
  sync(getLang());
  onLangChange(sync);
}
