// Outgoing mail through nodemailer to the SMTP server named by SMTP_URL; a no-op when it is unset.
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface MailMessage {
  to: string | readonly string[];
  subject: string;
  /** Plain text only: nothing a reporter typed is ever interpreted as HTML in a mail. */
  text: string;
}

export interface Mailer {
  /** False when SMTP_URL is unset: `send` then does nothing. */
  readonly enabled: boolean;
  /** Sends one message; a failure is logged (without the addresses) and never thrown, since mail
   *  is a courtesy that must not undo the change that caused it. Resolves once the server has answered. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** A mailer for `smtpUrl` (smtp:// or smtps://), or a disabled one when it is undefined. */
export function createMailer(smtpUrl: string | undefined, from: string, log: Logger): Mailer {
  if (!smtpUrl) return { enabled: false, send: async () => {}, close: () => {} };
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    enabled: true,
    async send(message) {
      try {
        await transport.sendMail({ from, to: [message.to].flat().join(', '), subject: message.subject, text: message.text });
      } catch (err) {
        // Not the message: an SMTP server's refusal quotes the address ("550 <jean@…>: rejected").
        const { code, responseCode, command } = err as { code?: string; responseCode?: number; command?: string };
        log.warn({ code, responseCode, command, subject: message.subject }, 'mail not sent');
      }
    },
    close: () => transport.close(),
  };
}
