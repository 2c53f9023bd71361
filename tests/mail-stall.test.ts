// A slow or dead mail server never holds up nor fails a public form: a lot enquiry is answered while a
// real SMTP server (smtp-server) sits on its mail without ever answering, and when nothing listens at
// SMTP_URL at all; the mailer gives a stalled message up after its timeout and drops what overflows
// its queue, logging both without a single address. Enquiries and incident reports share that one queue.
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../server/mail/mailer.ts';
import { startTestServer, type TestServer } from './helpers/test-server.ts';

const ENQUIRER = {
  name: 'Yann Lent', company: 'Atelier Lent', email: 'yann.lent@example.org', phone: '02 99 00 00 00',
  message: 'Ce lot est-il disponible ?', consent: true,
};

/** An SMTP server that takes the envelope, then keeps every message's data without ever answering. */
async function startStallingSmtp(): Promise<{ url: string; stalled: () => number; close: () => Promise<void> }> {
  let stalled = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream) {
      stalled += 1;
      stream.resume();
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    stalled: () => stalled,
    // smtp-server's close waits for its open sessions, which a stalled one never ends.
    close: () => new Promise<void>((ok) => {
      server.server.close(() => ok());
      server.connections.forEach((c) => (c as unknown as { close(): void }).close());
    }),
  };
}

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((ok) => probe.close(() => ok()));
  return port;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((ok) => setTimeout(ok, 20));
}

function logSink(): { log: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  return { log: pino({ level: 'debug' }, sink), text: () => lines.join('') };
}

describe('a lot enquiry when the mail server misbehaves', () => {
  let smtp: Awaited<ReturnType<typeof startStallingSmtp>>;
  let stalling: TestServer;
  let dead: TestServer;
  let lotId: number;
  const enquire = (server: TestServer, email: string) => fetch(`${server.url}/api/lots/${lotId}/enquiries`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...ENQUIRER, email }),
  });

  beforeAll(async () => {
    smtp = await startStallingSmtp();
    stalling = await startTestServer({ env: { SMTP_URL: smtp.url, ENQUIRY_MAIL_TO: 'eco@montfort.test' } });
    dead = await startTestServer({ env: { SMTP_URL: `smtp://127.0.0.1:${await deadPort()}`, ENQUIRY_MAIL_TO: 'eco@montfort.test' } });
    const { rows } = await stalling.db.query<{ id: number }>(`SELECT min(id) AS id FROM zone_lots WHERE status = 'available'`);
    lotId = rows[0]!.id;
  });
  afterAll(async () => {
    await stalling?.close();
    await dead?.close();
    await smtp?.close();
  });

  it('is answered and stored while the SMTP server sits on its mail', async () => {
    const res = await enquire(stalling, 'attente@example.org');
    expect(res.status).toBe(202);
    // The mail did leave for the server, which still holds it unanswered: the answer did not wait.
    await until(() => smtp.stalled() > 0);
    const { rows } = await stalling.db.query(`SELECT 1 FROM lot_enquiries WHERE email = 'attente@example.org'`);
    expect(rows).toHaveLength(1);
  });

  it('holds an incident acknowledgement in the same queue while enquiry mails fill its slots', async () => {
    const res = await enquire(stalling, 'deuxieme@example.org');
    expect(res.status).toBe(202);
    // Both SMTP slots are now held by enquiry mails the server never answers.
    await until(() => smtp.stalled() >= 2);
    const { rows } = await stalling.db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM communes WHERE nom = 'Talensac') c`);
    const report = await fetch(`${stalling.url}/api/incidents`, {
      method: 'POST',
      body: new URLSearchParams({
        service_code: 'lighting', lat: String(rows[0]!.lat), long: String(rows[0]!.lon),
        description: 'Lampadaire éteint rue de la Gare', email: 'signale@example.org',
      }),
    });
    expect(report.status).toBe(201);
    const queue = async () => Object.fromEntries([...(await (await fetch(`${stalling.url}/metrics`)).text())
      .matchAll(/^websig_mail_queue\{state="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    let seen = await queue();
    while (seen.waiting !== 1 && smtp.stalled() < 3) seen = await queue();
    expect(seen).toEqual({ sending: 2, waiting: 1 });
    // A queue of its own would have opened a third SMTP conversation.
    expect(smtp.stalled()).toBe(2);
  });

  it('is answered and stored when nothing listens at SMTP_URL', async () => {
    const res = await enquire(dead, 'personne@example.org');
    expect(res.status).toBe(202);
    const { rows } = await dead.db.query(`SELECT 1 FROM lot_enquiries WHERE email = 'personne@example.org'`);
    expect(rows).toHaveLength(1);
  });
});

describe('the mailer facing a stalled SMTP server', () => {
  it('gives a message up after its timeout and drops what overflows its queue, logging neither address', async () => {
    const smtp = await startStallingSmtp();
    const { log, text } = logSink();
    const mailer = createMailer(smtp.url, 'websig@montfort-communaute.test', log, { concurrency: 1, maxWaiting: 1, socketTimeoutMs: 500 });
    const sent = [1, 2, 3].map((i) => mailer.send({ to: `personne${i}@example.org`, subject: `Demande n° ${i}`, text: 'Bonjour' }));
    // The third finds one message sending and one waiting: it is dropped at once.
    await sent[2];
    expect(text()).toContain('mail not sent: queue full');
    await Promise.all(sent);
    mailer.close();
    await smtp.close();
    expect(smtp.stalled()).toBe(2);
    expect(text().match(/"msg":"mail not sent"/g)).toHaveLength(2);
    expect(text()).not.toMatch(/personne\d@example\.org/);
  });
});
