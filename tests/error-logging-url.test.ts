// A failed request's log line names its URL, but not a tracking token in it (the token opens an
// unpublished report, with its description and place, to whoever reads the logs), nor an Open311
// api_key (which lets its holder post as that client).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { errorMiddleware } from '../server/http/errors.ts';

const TOKEN = '0123456789abcdef0123456789abcdef';
const API_KEY = 'cle-secrete-du-partenaire';

describe('URLs in error log lines', () => {
  it('masks tracking tokens and Open311 api keys in the logged URL of a failed request', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const app = new Koa();
    app.use(errorMiddleware(pino({ level: 'debug' }, sink)));
    app.use(() => { throw new Error('boom'); });
    const server = createServer(app.callback());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of [`/api/incidents/track/${TOKEN}`, `/open311/v2/requests/${TOKEN}.json`, `/open311/v2/tokens/${TOKEN.toUpperCase()}.xml`,
        `/open311/v2/requests.json?service_code=roads&api_key=${API_KEY}&lat=48.1`]) {
        expect((await fetch(base + path)).status).toBe(500);
      }
    } finally {
      await new Promise((ok) => server.close(ok));
    }
    const log = lines.join('');
    expect(lines).toHaveLength(4);
    expect(log).toContain('/api/incidents/track/');
    expect(log.toLowerCase()).not.toContain(TOKEN);
    expect(log).toContain('service_code=roads&api_key=…&lat=48.1');
    expect(log).not.toContain(API_KEY);
  });
});
