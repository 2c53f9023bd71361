// The embedded database as an import job's process reaches it: each statement is sent to the
// server, which runs it on its own pool between other requests (PGlite allows one process only).
import type pg from 'pg';
import type { Queryable, Row } from '../core/db/database.ts';
import type { FromJob, ToJob, WireError } from './job-protocol.ts';
import type { ImportDatabase } from './stage-loader.ts';

type Request = Omit<Extract<FromJob, { type: 'db' }>, 'type' | 'id'>;

/** A database error rebuilt on this side, with the SQLSTATE and detail the pipeline reads. */
function rebuild(wire: WireError): Error {
  return Object.assign(new Error(wire.message), { code: wire.code, detail: wire.detail, where: wire.where });
}

/** An ImportDatabase over `send`; feed it the server's `db-result` messages through `receive`. */
export function bridgeDatabase(send: (message: FromJob) => void): ImportDatabase & { receive(message: ToJob): void } {
  let next = 0;
  const pending = new Map<number, { ok: (r: pg.QueryResult) => void; fail: (e: Error) => void }>();
  const request = (req: Request) =>
    new Promise<pg.QueryResult>((ok, fail) => {
      const id = ++next;
      pending.set(id, { ok, fail });
      send({ type: 'db', id, ...req });
    });
  const query = <R extends Row>(text: string, params?: readonly unknown[], tx = false) =>
    request({ op: 'query', text, params: params as unknown[] | undefined, tx }) as Promise<pg.QueryResult<R>>;
  return {
    kind: 'embedded',
    sharedWithReaders: true,
    query: (text, params) => query(text, params),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      await request({ op: 'begin' });
      let result: T;
      try {
        result = await fn({ query: (text, params) => query(text, params, true) });
      } catch (error) {
        // The server rolls back whatever happens to this request; the first error is the one to tell.
        await request({ op: 'rollback' }).catch(() => undefined);
        throw error;
      }
      await request({ op: 'commit' });
      return result;
    },
    receive(message) {
      if (message.type !== 'db-result') return;
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiting?.fail(rebuild(message.error));
      else waiting?.ok({ ...message.result!, fields: [], oid: 0 } as pg.QueryResult);
    },
  };
}
