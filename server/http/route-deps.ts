// What every route factory is handed: the parts wired once by `createApp`, passed down, never global.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../core/config.ts';
import type { ChangeSignal } from '../../core/db/change-signal.ts';
import type { Database } from '../../core/db/database.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import type { SummaryCache } from '../features/collection-summary.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RouteDeps {
  readonly config: Config;
  /** The primary: writes, staff screens, anything that must see the latest commit. */
  readonly db: Database;
  /** Public reads (tiles, OGC API, downloads, search, eligibility): a fit replica, else the primary. */
  readonly reads: Database;
  readonly layers: LayerRegistry;
  readonly log: Logger;
  /** The one way of knowing that data changed: keys every cache and validator of tiles, OGC API and downloads. */
  readonly changes: ChangeSignal;
  /** Layer summaries (count, extent, last update), read once per layer version for OGC API and downloads. */
  readonly summaries: SummaryCache;
  /** The app's Prometheus registry, for the counters a route keeps. */
  readonly metrics: Registry;
  /** Hit counters shared by every instance (database, or Redis when configured), for rate limits. */
  readonly rateLimiter: RateLimiter;
}
