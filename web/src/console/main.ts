// Entry point of the staff console (console.html): who is logged in, the log-in form, log-out, the
// FR/EN switch, the tabs the user's role may see, and a live region panels announce through.
import 'maplibre-gl/dist/maplibre-gl.css';
import './console.css';
import { fetchConfig, type Lang } from '../api.ts';
import { setupLanguageSwitch } from '../chrome.ts';
import { getLang, initialLang, onLangChange, setLang } from '../i18n.ts';
import { ct } from './console-strings.ts';
import { createConsoleTabs, panelsFor, type ConsoleTabs } from './console-tabs.ts';
import { createLoginForm } from './login-form.ts';
import { PANELS } from './panels.ts';
import { relabel } from './translate.ts';
import { StaffApi, type StaffUser } from './staff-api.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function start(): Promise<void> {
  const api = new StaffApi();
  const loginRoot = byId<HTMLElement>('console-login');
  const tabsRoot = byId<HTMLElement>('console-tabs');
  const userLine = byId<HTMLElement>('console-user');
  const logoutButton = byId<HTMLButtonElement>('logout');
  const live = byId<HTMLElement>('console-announce');
  let user: StaffUser | null = null;
  let tabs: ConsoleTabs | null = null;

  // A repeated message is still read out: the region is emptied first, then filled on the next frame.
  const announce = (message: string) => {
    live.textContent = '';
    requestAnimationFrame(() => { live.textContent = message; });
  };
  const roleName = (u: StaffUser) => ct(u.role === 'admin' ? 'roleAdmin' : 'roleStaff');
  const showUser = () => {
    userLine.hidden = logoutButton.hidden = !user;
    userLine.textContent = user ? ct('loggedInAs', { email: user.email, role: roleName(user) }) : '';
  };

  const enter = (who: StaffUser) => {
    user = who;
    login.hide();
    showUser();
    tabsRoot.hidden = false;
    tabs = createConsoleTabs(tabsRoot, panelsFor(PANELS, who.role), { api, user: who, lang: getLang, announce });
  };
  const leave = () => {
    user = null;
    tabs?.destroy();
    tabs = null;
    tabsRoot.hidden = true;
    showUser();
    login.show();
  };

  const login = createLoginForm(loginRoot, api, (who) => {
    enter(who);
    announce(ct('loggedIn'));
  });
  logoutButton.addEventListener('click', async () => {
    try {
      await api.logout();
    } finally {
      // Even a failed log-out (session already gone) leaves the console logged out.
      leave();
      announce(ct('loggedOut'));
    }
  });

  const applyLang = (lang: Lang) => {
    relabel(document, 'ct', ct);
    document.title = ct('pageTitle');
    showUser();
    login.relabel();
    tabs?.relabel(lang);
  };
  setupLanguageSwitch((next) => setLang(next, { remember: true }));
  onLangChange(applyLang);
  const config = await fetchConfig().catch(() => null);
  setLang(initialLang(config?.defaultLang ?? 'fr'));

  const who = await api.me().catch(() => null);
  if (who) enter(who);
  else leave();
  document.documentElement.dataset.consoleReady = '1';
}

void start();
