// The mailer against a real SMTP server started here: a message arrives with its sender, recipient,
// subject and plain text; with SMTP_URL unset nothing is sent; an unreachable server is logged,
// never thrown at the change that caused the mail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createMailer } from '../server/mail/mailer.ts';
import { createLogger } from '../server/logger.ts';
import { startSmtpServer, type TestSmtpServer } from './helpers/smtp-server.ts';

describe('mailer', () => {
  let smtp: TestSmtpServer;
  const log = createLogger('silent');

  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => smtp?.close());

  it('delivers a plain-text message through SMTP_URL', async () => {
    const mailer = createMailer(smtp.url, 'WebSIG <no-reply@montfort-communaute.test>', log);
    expect(mailer.enabled).toBe(true);
    await mailer.send({ to: 'resident@example.org', subject: 'Signalement n° 7 : Résolu / Report #7: Resolved', text: 'Bonjour <b>toi</b>' });
    const mail = await smtp.waitFor((m) => m.subject?.includes('n° 7') === true);
    expect(mail.from?.value[0]?.address).toBe('no-reply@montfort-communaute.test');
    expect(JSON.stringify(mail.to)).toContain('resident@example.org');
    expect(mail.subject).toBe('Signalement n° 7 : Résolu / Report #7: Resolved');
    expect(mail.text?.trim()).toBe('Bonjour <b>toi</b>');
    expect(mail.html).toBe(false);
    mailer.close();
  });

  it('sends nothing when SMTP_URL is unset', async () => {
    const before = smtp.messages.length;
    const mailer = createMailer(undefined, 'x@example.org', log);
    expect(mailer.enabled).toBe(false);
    await mailer.send({ to: 'a@example.org', subject: 's', text: 't' });
    expect(smtp.messages.length).toBe(before);
  });

  it('logs an unreachable server instead of throwing', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const warnings: unknown[] = [];
    const spy = { ...log, warn: (...args: unknown[]) => warnings.push(args) } as unknown as typeof log;
    const mailer = createMailer(`smtp://127.0.0.1:${port}`, 'x@example.org', spy);
    await expect(mailer.send({ to: 'secret.person@example.org', subject: 'hello', text: 't' })).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('secret.person');
  });
});
