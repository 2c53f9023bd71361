// Sends public reads to read replicas that keep up with the primary, and everything else (writes, a
// staff member's reads right after a write, reads when no replica is fit) to the primary; measures
// each replica's lag from the primary's WAL positions.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { Database, Queryable, Row } from './database.ts';

export interface Replica {
  /** host:port, for /ready and metric labels (never the URL: it may hold a password). */
  readonly name: string;
  readonly db: Database;
}

export interface ReplicaStatus {
  readonly name: string;
  /** How old the replica's data may be, in ms (an upper bound); null before the first measure. */
  readonly lagMs: number | null;
  /** Whether reads go to it: it answered the last probe and lags no more than the bound. */
  readonly usable: boolean;
  /** Why it is not usable, when it did not answer. */
  readonly error?: string;
}

export interface ReadRouterOptions {
  primary: Database;
  replicas?: readonly Replica[];
  /** A replica lagging more than this is skipped (`REPLICA_MAX_LAG_MS`). */
  maxLagMs: number;
  /** How often lag is measured, in ms (`REPLICA_PROBE_MS`); 0 measures only when `probe()` is called. */
  probeIntervalMs: number;
  now?: () => number;
}

export interface ReadRouter {
  /** The database public reads use: a fit replica, or the primary. */
  readonly reads: Database;
  readonly hasReplicas: boolean;
  /**
   * Runs one request: its reads stick to one replica (so one request sees one timeline that only
   * moves forward), or all go to the primary when `primaryOnly`.
   */
  scope<T>(primaryOnly: boolean, fn: () => Promise<T>): Promise<T>;
  status(): ReplicaStatus[];
  /** Measures every replica's lag now. */
  probe(): Promise<void>;
  /** Stops probing and closes the replicas' pools (not the primary's). */
  close(): Promise<void>;
}

/** `X/Y` (two hex halves) as one number, so positions compare. */
export function parseLsn(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

interface Sample {
  lsn: bigint;
  at: number;
}

/**
 * The replica's lag given the primary's positions sampled over time (oldest first, the last one
 * read just before the replica's): 0 when it has replayed the latest, else the time since the
 * newest sample it has replayed (its data is at least that recent), or since the oldest one kept
 * when it has replayed none of them.
 */
export function lagFromSamples(samples: readonly Sample[], replayed: bigint, now: number): number {
  const latest = samples.at(-1);
  if (!latest) return Infinity;
  if (replayed >= latest.lsn) return 0;
  for (let i = samples.length - 1; i >= 0; i--) if (samples[i]!.lsn <= replayed) return now - samples[i]!.at;
  return now - samples[0]!.at;
}

interface Scope {
  primaryOnly: boolean;
  pinned?: Database;
}

/** Connection-level failures and standby conflicts: a read that is safe to run again on the primary. */
function retryableOnPrimary(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return error.code === '40001' || error.code?.startsWith('57P') === true;
  return true;
}

export function createReadRouter(options: ReadRouterOptions): ReadRouter {
  const { primary, maxLagMs } = options;
  const replicas = options.replicas ?? [];
  const now = options.now ?? Date.now;
  const scopes = new AsyncLocalStorage<Scope>();
  const states = new Map<string, ReplicaStatus>(replicas.map((r) => [r.name, { name: r.name, lagMs: null, usable: false }]));
  const samples: Sample[] = [];
  let next = 0;

  const fit = () => replicas.filter((r) => states.get(r.name)!.usable);
  const choose = (): Database => {
    const usable = fit();
    if (usable.length === 0) return primary;
    next = (next + 1) % usable.length;
    return usable[next]!.db;
  };
  const target = (): Database => {
    const scope = scopes.getStore();
    if (!scope) return choose();
    if (scope.primaryOnly) return primary;
    scope.pinned ??= choose();
    return scope.pinned;
  };
  const markFailed = (db: Database, error: unknown) => {
    const replica = replicas.find((r) => r.db === db);
    if (replica) states.set(replica.name, { name: replica.name, lagMs: null, usable: false, error: (error as Error).message });
    const scope = scopes.getStore();
    if (scope) scope.pinned = primary;
  };
  /** Runs a read on its target; a replica that fails it is set aside and the read runs on the primary. */
  const run = async <T>(use: (db: Database) => Promise<T>): Promise<T> => {
    const db = target();
    if (db === primary) return use(db);
    try {
      return await use(db);
    } catch (error) {
      if (!retryableOnPrimary(error)) throw error;
      markFailed(db, error);
      return use(primary);
    }
  };

  const reads: Database = replicas.length === 0 ? primary : {
    kind: primary.kind,
    connection: primary.connection,
    query: <R extends Row>(text: string, params?: readonly unknown[], name?: string) => run((db) => db.query<R>(text, params, name)),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => run((db) => db.transaction(fn)),
    liveness: () => primary.liveness(),
    poolUsage: () => primary.poolUsage(),
    releaseConnections: async () => undefined,
    close: async () => undefined,
  };

  const probeReplica = async (replica: Replica) => {
    try {
      const { rows } = await replica.db.query<{ replayed: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS replayed');
      const replayed = rows[0]?.replayed;
      // Not in recovery: not a replica, whatever the configuration says.
      if (!replayed) throw new Error('not a standby (pg_last_wal_replay_lsn() is null)');
      const lagMs = lagFromSamples(samples, parseLsn(replayed), now());
      states.set(replica.name, { name: replica.name, lagMs: Number.isFinite(lagMs) ? lagMs : null, usable: lagMs <= maxLagMs });
    } catch (error) {
      states.set(replica.name, { name: replica.name, lagMs: null, usable: false, error: (error as Error).message });
    }
  };

  const probe = async () => {
    if (replicas.length === 0) return;
    let sample: Sample;
    try {
      const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      sample = { lsn: parseLsn(rows[0]!.lsn), at: now() };
    } catch (error) {
      // Without the primary's position no lag can be bounded: no replica is trusted meanwhile.
      for (const r of replicas) states.set(r.name, { name: r.name, lagMs: null, usable: false, error: `primary: ${(error as Error).message}` });
      return;
    }
    // An unchanged position is refreshed: the primary was still there now, a tighter bound.
    const last = samples.at(-1);
    if (last?.lsn === sample.lsn) last.at = sample.at;
    else samples.push(sample);
    // Samples older than twice the bound can only say "too late"; the oldest of them is enough.
    while (samples.length > 2 && samples[1]!.at < sample.at - 2 * maxLagMs) samples.shift();
    await Promise.all(replicas.map(probeReplica));
  };

  let timer: NodeJS.Timeout | undefined;
  let probing: Promise<void> | undefined;
  if (replicas.length > 0 && options.probeIntervalMs > 0) {
    timer = setInterval(() => {
      probing ??= probe().finally(() => { probing = undefined; });
    }, options.probeIntervalMs);
    timer.unref();
  }

  return {
    reads,
    hasReplicas: replicas.length > 0,
    scope: (primaryOnly, fn) => scopes.run({ primaryOnly }, fn),
    status: () => [...states.values()],
    probe,
    async close() {
      clearInterval(timer);
      await probing;
      await Promise.all(replicas.map((r) => r.db.close()));
    },
  };
}
