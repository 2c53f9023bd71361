// A mail the SMTP server refuses is logged without the address: servers quote the recipient in their
// refusal ("550 5.1.1 <jean@…>: Recipient address rejected"), and a reporter's address has no
// business in a log line.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../server/mail/mailer.ts';

const EMAIL = 'camille.reporter@example.org';

describe('mail refused by the SMTP server', () => {
  let server: SMTPServer;
  let url: string;
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onRcptTo(address, _session, callback) {
        const refusal = Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), { responseCode: 550 });
        callback(refusal);
      },
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((ok) => server.close(() => ok())));

  it('logs that the mail was not sent, with the SMTP code, never the address', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const mailer = createMailer(url, 'websig@montfort-communaute.test', pino({ level: 'debug' }, sink));
    await mailer.send({ to: EMAIL, subject: 'Signalement n° 1 reçu', text: 'Bonjour' });
    mailer.close();
    const log = lines.join('');
    expect(log).toContain('mail not sent');
    expect(log).toContain('550');
    expect(log).not.toContain(EMAIL);
  });
});
