// What a tab of the staff console is: the shell (console/main.ts) logs the user in, then mounts the
// panels their role may see, each into its own element, and tells them when the language changes.
import type { Lang, Localized } from '../api.ts';
import type { StaffApi, StaffRole, StaffUser } from './staff-api.ts';

export interface ConsoleContext {
  api: StaffApi;
  user: StaffUser;
  lang: () => Lang;
  /** Announces a short message to screen readers and sighted users (the shell's live region). */
  announce: (message: string) => void;
}

export interface ConsolePanel {
  /** Used in the URL hash (`#lots`, `#imports`…) and as the tab's element id suffix. */
  id: string;
  label: Localized;
  /** Roles that see this tab. */
  roles: readonly StaffRole[];
  /** Builds the panel into `root`; may return a function the shell calls on language change. */
  mount(root: HTMLElement, context: ConsoleContext): void | { relabel(lang: Lang): void };
}
