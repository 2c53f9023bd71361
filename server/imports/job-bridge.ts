// The server's side of an import job's way to the embedded database: runs the statements the job
// sends on the app's pool, each as its own short statement (other requests take turns between
// them), and the job's one transaction — the swap into the live layer — on one held connection.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseBusyError, type Database, type Queryable } from '../../core/db/database.ts';
import type { FromJob, ToJob, WireError, WireResult } from '../../data-import/job-protocol.ts';

/** How long a job's statement waits before asking the pool again when it is saturated. */
const BUSY_RETRY_MS = 250;

interface OpenTransaction {
  query: Queryable['query'];
  /** Commits (true) or rolls back; settles when the database has. */
  end(commit: boolean): Promise<void>;
}

class RolledBack extends Error {}

/** Opens a transaction on one pooled connection, held until end() is called. */
async function openTransaction(db: Database): Promise<OpenTransaction> {
  let decide!: (commit: boolean) => void;
  let opened!: (tx: Queryable) => void;
  let failed!: (error: unknown) => void;
  const begun = new Promise<Queryable>((ok, fail) => {
    opened = ok;
    failed = fail;
  });
  const done = db.transaction(async (tx) => {
    opened(tx);
    if (!(await new Promise<boolean>((ok) => (decide = ok)))) throw new RolledBack();
  });
  // A failed BEGIN (or connection) rejects `done` before the transaction is ever handed out.
  done.catch(failed);
  const tx = await begun;
  return {
    query: tx.query,
    async end(commit) {
      decide(commit);
      await done.catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    },
  };
}

/** Waits for the pool rather than failing: a job's statement may wait longer than a request. */
async function patiently<T>(attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DatabaseBusyError)) throw error;
      await sleep(BUSY_RETRY_MS);
    }
  }
}

function wireError(error: unknown): WireError {
  const e = error as { message?: string; code?: unknown; detail?: string; where?: string };
  return { message: e?.message ?? String(error), code: typeof e?.code === 'string' ? e.code : undefined, detail: e?.detail, where: e?.where };
}

/** Serves `child`'s database requests on `db`; `close()` rolls back a transaction the job left open. */
export function serveJobDatabase(db: Database, child: ChildProcess): { close(): Promise<void> } {
  let tx: OpenTransaction | undefined;
  const run = async (m: Extract<FromJob, { type: 'db' }>): Promise<WireResult> => {
    const none = { rows: [], rowCount: null, command: m.op.toUpperCase() };
    switch (m.op) {
      case 'begin':
        if (tx) throw new Error('a transaction is already open');
        tx = await patiently(() => openTransaction(db));
        return none;
      case 'commit':
      case 'rollback': {
        const open = tx;
        tx = undefined;
        await open?.end(m.op === 'commit');
        return none;
      }
      case 'query': {
        if (m.tx && !tx) throw new Error('no open transaction');
        const result = m.tx ? await tx!.query(m.text!, m.params) : await patiently(() => db.query(m.text!, m.params));
        return { rows: result.rows, rowCount: result.rowCount, command: result.command };
      }
    }
  };
  const onMessage = (m: FromJob) => {
    if (m.type !== 'db') return;
    run(m).then(
      (result) => reply({ type: 'db-result', id: m.id, result }),
      (error: unknown) => reply({ type: 'db-result', id: m.id, error: wireError(error) }),
    );
  };
  // A job that died meanwhile gets no answer; its exit is handled by whoever started it.
  const reply = (message: ToJob) => {
    if (child.connected) child.send(message);
  };
  child.on('message', onMessage);
  return {
    async close() {
      child.off('message', onMessage);
      const open = tx;
      tx = undefined;
      await open?.end(false);
    },
  };
}
