// Outgoing mail through nodemailer to the SMTP server named by SMTP_URL; a no-op when it is unset.
// Messages go out in the background through a bounded queue, with bounded SMTP timeouts, so a slow
// or dead mail server never holds up or fails the request that caused the mail.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { createBoundedQueue } from '../http/bounded-queue.ts';
import { RetryLaterError } from '../http/errors.ts';

export interface MailMessage {
  to: string | readonly string[];
  subject: string;
  /** Plain text only: nothing a reporter typed is ever interpreted as HTML in a mail. */
  text: string;
}

export interface Mailer {
  /** False when SMTP_URL is unset: `send` then does nothing. */
  readonly enabled: boolean;
  /** Queues one message. A failure, a timeout or a full queue is logged (without the addresses)
   *  and never thrown, since mail is a courtesy that must not undo the change that caused it.
   *  Resolves once the message is sent or given up: request handlers do not wait for it. */
  send(message: MailMessage): Promise<void>;
  /** Messages being handed to the SMTP server and waiting for a slot now (for /metrics). */
  load(): { running: number; waiting: number };
  close(): void;
}

export interface MailerOptions {
  /** Messages handed to the SMTP server at once. */
  concurrency: number;
  /** Messages allowed to wait for a slot; more are dropped (and logged) rather than held in memory. */
  maxWaiting: number;
  /** Longest wait for the TCP connection, then for the server's greeting, in ms. */
  connectTimeoutMs: number;
  /** Longest silence of the server during a conversation, in ms. */
  socketTimeoutMs: number;
}

/** nodemailer's own defaults (2 min to connect, 10 min of silence) would hold a slot for minutes. */
export const DEFAULT_MAILER_OPTIONS: MailerOptions = { concurrency: 2, maxWaiting: 500, connectTimeoutMs: 10_000, socketTimeoutMs: 30_000 };

/** A mailer for `smtpUrl` (smtp:// or smtps://), or a disabled one when it is undefined. */
export function createMailer(smtpUrl: string | undefined, from: string, log: Logger, options: Partial<MailerOptions> = {}): Mailer {
  if (!smtpUrl) return { enabled: false, send: async () => {}, load: () => ({ running: 0, waiting: 0 }), close: () => {} };
  const { concurrency, maxWaiting, connectTimeoutMs, socketTimeoutMs } = { ...DEFAULT_MAILER_OPTIONS, ...options };
  const transport = nodemailer.createTransport({
    url: smtpUrl, connectionTimeout: connectTimeoutMs, greetingTimeout: connectTimeoutMs, socketTimeout: socketTimeoutMs,
  });
  const queue = createBoundedQueue({ concurrency, maxWaiting, retryAfterS: 0, what: 'mail' });
  return {
    enabled: true,
    async send(message) {
      try {
        await queue.run(() => transport.sendMail({ from, to: [message.to].flat().join(', '), subject: message.subject, text: message.text }));
      } catch (err) {
        if (err instanceof RetryLaterError) {
          log.warn({ subject: message.subject, waiting: maxWaiting }, 'mail not sent: queue full');
          return;
        }
        // Not the message: an SMTP server's refusal quotes the address ("550 <jean@…>: rejected").
        const { code, responseCode, command } = err as { code?: string; responseCode?: number; command?: string };
        log.warn({ code, responseCode, command, subject: message.subject }, 'mail not sent');
      }
    },
    load: () => queue.load(),
    close: () => transport.close(),
  };
}
