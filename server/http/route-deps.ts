// What every route factory is handed: the parts wired once by `createApp`, passed down, never global.
import type { Logger } from 'pino';
import type { Config } from '../../core/config.ts';
import type { Database } from '../../core/db/database.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';

export interface RouteDeps {
  readonly config: Config;
  readonly db: Database;
  readonly layers: LayerRegistry;
  readonly log: Logger;
}
