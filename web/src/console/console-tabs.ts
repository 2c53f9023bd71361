// The console's tabs (WAI-ARIA tabs pattern): one tab per panel, arrow keys and Home/End move between
// them, the URL hash names the open one (#lots), and each panel is built the first time it is opened.
import type { Lang } from '../api.ts';
import { pick } from '../i18n.ts';
import { ct } from './console-strings.ts';
import type { ConsoleContext, ConsolePanel } from './panel.ts';

export interface ConsoleTabs {
  relabel(lang: Lang): void;
  /** Removes the tabs and panels (on log-out). */
  destroy(): void;
}

interface Tab {
  panel: ConsolePanel;
  button: HTMLButtonElement;
  body: HTMLElement;
  mounted: boolean;
  relabel?: (lang: Lang) => void;
}

export function createConsoleTabs(root: HTMLElement, panels: readonly ConsolePanel[], context: ConsoleContext): ConsoleTabs {
  root.replaceChildren();
  if (panels.length === 0) {
    const empty = document.createElement('p');
    empty.textContent = ct('noPanel');
    root.append(empty);
    return { relabel: () => { empty.textContent = ct('noPanel'); }, destroy: () => root.replaceChildren() };
  }
  const list = document.createElement('div');
  list.className = 'console-tablist';
  list.setAttribute('role', 'tablist');
  list.setAttribute('aria-label', ct('tabsLabel'));
  root.append(list);

  const tabs: Tab[] = panels.map((panel) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.id = `tab-${panel.id}`;
    button.className = 'console-tab';
    button.setAttribute('role', 'tab');
    button.setAttribute('aria-controls', `panel-${panel.id}`);
    button.textContent = pick(panel.label);
    const body = document.createElement('section');
    body.id = `panel-${panel.id}`;
    body.className = 'console-panel';
    body.setAttribute('role', 'tabpanel');
    body.setAttribute('aria-labelledby', button.id);
    body.tabIndex = 0;
    list.append(button);
    root.append(body);
    return { panel, button, body, mounted: false };
  });

  const select = (tab: Tab, focus: boolean) => {
    for (const other of tabs) {
      const on = other === tab;
      other.button.setAttribute('aria-selected', String(on));
      // Roving tabindex: Tab enters the tab list on the open tab; arrows move within it.
      other.button.tabIndex = on ? 0 : -1;
      other.body.hidden = !on;
    }
    if (!tab.mounted) {
      tab.mounted = true;
      const result = tab.panel.mount(tab.body, context);
      if (result) tab.relabel = (lang) => result.relabel(lang);
    }
    if (focus) tab.button.focus();
    if (window.location.hash !== `#${tab.panel.id}`) history.replaceState(null, '', `#${tab.panel.id}`);
  };
  const fromHash = () => tabs.find((tab) => `#${tab.panel.id}` === window.location.hash) ?? tabs[0]!;

  for (const [index, tab] of tabs.entries()) {
    tab.button.addEventListener('click', () => select(tab, false));
    tab.button.addEventListener('keydown', (event) => {
      const target = {
        ArrowRight: tabs[(index + 1) % tabs.length],
        ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
        Home: tabs[0],
        End: tabs[tabs.length - 1],
      }[event.key];
      if (!target) return;
      event.preventDefault();
      select(target, true);
    });
  }
  const onHash = () => select(fromHash(), false);
  window.addEventListener('hashchange', onHash);
  select(fromHash(), false);

  return {
    relabel(lang) {
      list.setAttribute('aria-label', ct('tabsLabel'));
      for (const tab of tabs) {
        tab.button.textContent = pick(tab.panel.label);
        tab.relabel?.(lang);
      }
    },
    destroy() {
      window.removeEventListener('hashchange', onHash);
      root.replaceChildren();
    },
  };
}

/** The panels a role sees, in registry order. */
export function panelsFor(panels: readonly ConsolePanel[], role: ConsoleContext['user']['role']): ConsolePanel[] {
  return panels.filter((panel) => panel.roles.includes(role));
}

