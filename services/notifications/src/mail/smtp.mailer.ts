import nodemailer from "nodemailer";

/** What a mail transport gets: one message to one recipient. */
export interface OutgoingMail {
  /** The message's id: its Message-ID, so a mail sent twice (a crash after sending) reads as one. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mails; throws when the server refuses one or cannot be reached (see isPermanentFailure). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** smtp://user:pass@host:port or smtps://… (nodemailer's connection URL). */
  url: string;
  /** The From header: "Comptoir <no-reply@comptoir.local>". */
  from: string;
  /** Connection, greeting and inactivity timeouts, in ms (one slow server must not hold the worker). */
  timeoutMs?: number;
}

/**
 * SMTP through nodemailer, one connection per mail (nothing to keep alive between the worker's
 * rounds, and a server that went away is simply tried again at the next attempt).
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
  });
  const domain = /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? "comptoir.local";
  return {
    async send(mail) {
      await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@${domain}>`,
      });
    },
    close() {
      transport.close();
    },
  };
}

/**
 * The server refused the recipient for good (a 5xx answer to RCPT TO: no such mailbox): trying again
 * changes nothing, the message is dead at once. Anything else (no connection, a timeout, a 4xx,
 * even a 5xx to the login or the sender, which a fixed configuration cures) is tried again.
 */
export function isPermanentFailure(error: unknown): boolean {
  const e = error as { code?: string; command?: string; responseCode?: number };
  return e?.code === "EENVELOPE" && e.command === "RCPT TO" && (e.responseCode ?? 0) >= 500;
}
