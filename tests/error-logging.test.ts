// What the error middleware writes to the log when the database refuses a request: which rule and
// where, never the values the database quotes back (a reporter's e-mail, name or phone).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../core/db/database.ts';
import { errorMiddleware } from '../server/http/errors.ts';
import { openTestDatabase } from './helpers/test-db.ts';

const EMAIL = 'camille.reporter@example.org';
const PHONE = '06 12 34 56 78';

/** A Koa app whose only route runs `run`, and the log lines its error middleware writes. */
async function serve(run: () => Promise<unknown>): Promise<{ url: string; lines: string[]; server: Server }> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  const app = new Koa();
  app.use(errorMiddleware(pino({ level: 'debug' }, sink)));
  app.use(async (ctx) => { ctx.body = await run(); });
  const server = createServer(app.callback());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, lines, server };
}

describe('database errors in the log', () => {
  let db: Database;
  const servers: Server[] = [];
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    for (const server of servers) await new Promise((ok) => server.close(ok));
    await db?.close();
  });

  /** Answers a request whose handler runs `sql` with a reporter's details, and what was logged. */
  const refuse = async (sql: string, values: unknown[]) => {
    const app = await serve(() => db.query(sql, values));
    servers.push(app.server);
    const response = await fetch(app.url);
    return { status: response.status, body: await response.text(), log: app.lines.join('') };
  };
  const insertReport = (status: string, description: string | null) => refuse(
    `INSERT INTO incidents (service_code, description, status, reporter_name, reporter_email, reporter_phone, geom)
     SELECT 'roads', $1, $2, 'Camille Reporter', $3, $4, ST_PointOnSurface(geom) FROM communes LIMIT 1`,
    [description, status, EMAIL, PHONE]);

  it('a check constraint refusal logs the constraint, not the failing row', async () => {
    const { status, body, log } = await insertReport('bogus', 'pothole');
    expect(status).toBe(422);
    expect(log).toContain('incidents_status_check');
    for (const secret of [EMAIL, PHONE, 'Camille Reporter']) {
      expect(log).not.toContain(secret);
      expect(body).not.toContain(secret);
    }
  });

  it('a 500 (a NOT NULL refusal) logs the column, not the failing row', async () => {
    const { status, log } = await insertReport('new', null);
    expect(status).toBe(500);
    expect(log).toContain('23502');
    expect(log).toContain('description');
    expect(log).not.toContain(EMAIL);
    expect(log).not.toContain(PHONE);
  });

  it('a value of the wrong form is not quoted in the log', async () => {
    const { status, log } = await refuse('SELECT $1::int AS n', [EMAIL]);
    expect(status).toBe(422);
    expect(log).toContain('22P02');
    expect(log).not.toContain(EMAIL);
  });
});
