// The console's tabs, in the order shown: each entry is a ConsolePanel module with the roles that see it.
import { accountsPanel } from './accounts-panel.ts';
import { enquiriesPanel } from './enquiries-panel.ts';
import { expiriesPanel } from './expiries-panel.ts';
import { importsPanel } from './imports-panel.ts';
import { incidentsPanel } from './incidents-panel.ts';
import { lotsPanel } from './lots-panel.ts';
import type { ConsolePanel } from './panel.ts';
import { zaePanel } from './zae-panel.ts';

export const PANELS: readonly ConsolePanel[] = [lotsPanel, incidentsPanel, enquiriesPanel, expiriesPanel, zaePanel, importsPanel, accountsPanel];
