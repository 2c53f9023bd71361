// Errors met after an answer began (a client gone mid-download, a stream failing mid-body) go to the
// structured log with the request id: a client that went away at debug level, anything else as an
// error; never Koa's bare stderr print, which names no request.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

describe('errors after the answer began', () => {
  const lines: Record<string, unknown>[] = [];
  let server: TestServer;
  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    server = await startTestServer({ log: pino({ level: 'debug' }, sink) });
  });
  afterAll(async () => server?.close());

  it('logs a client gone at debug and a failed stream as an error, each with its request id', () => {
    expect(server.app.listenerCount('error')).toBe(1);
    const ctx = { state: { requestId: 'req-abc' }, path: '/downloads/addresses.geojson' };
    server.app.emit('error', Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }), ctx);
    server.app.emit('error', new Error('tile encoder failed'), ctx);
    // A tracking token in the path opens an unpublished report: masked as in every other log line.
    server.app.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
      { state: { requestId: 'req-def' }, path: '/api/incidents/track/0123456789abcdef0123456789abcdef' });
    const [gone, failed] = lines.filter((l) => l.requestId === 'req-abc');
    expect(gone).toMatchObject({ level: 20, path: '/downloads/addresses.geojson', msg: 'client closed the connection before the answer ended' });
    expect(failed).toMatchObject({ level: 50, msg: 'answer failed after it began', err: { message: 'tile encoder failed' } });
    const tracked = lines.find((l) => l.requestId === 'req-def');
    expect(tracked).toMatchObject({ level: 20, path: '/api/incidents/track/…' });
    expect(JSON.stringify(lines)).not.toContain('0123456789abcdef');
  });
});
