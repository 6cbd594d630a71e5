import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A mail as the test SMTP server received it, decoded. */
export interface ReceivedMail {
  /** The envelope: who it was sent from and to. */
  from: string;
  to: string[];
  messageId: string;
  subject: string;
  fromHeader: string;
  text: string;
  html: string;
  raw: string;
}

/**
 * A real SMTP server (smtp-server) on a free port of 127.0.0.1 for the test: it keeps what it
 * receives, can refuse recipients (`refuse`), and can be stopped and started again on the same port
 * (the mail server going away and coming back).
 */
export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** Decides a recipient's fate: undefined accepts it; otherwise the SMTP answer given to RCPT TO. */
  refuse: (address: string) => { code: number; message: string } | undefined;
  stop(): Promise<void>;
  /** Listens again on the same port; does nothing when it already listens. */
  start(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  let server: SMTPServer | undefined;
  let port = 0;
  const smtp: TestSmtp = {
    url: "",
    received: [],
    refuse: () => undefined,
    async start() {
      if (server) return; // already listening
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        onRcptTo(address, _session, callback) {
          const refusal = smtp.refuse(address.address);
          if (!refusal) return callback();
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            const mail = parseMime(raw);
            smtp.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
              ...mail,
              raw,
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        server!.server.once("error", reject);
        server!.listen(port, "127.0.0.1", () => resolve());
      });
      port = (server.server.address() as AddressInfo).port;
      smtp.url = `smtp://127.0.0.1:${port}`;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await smtp.start();
  return smtp;
}

// A MIME reader just good enough for what nodemailer writes (multipart/alternative, quoted-printable
// or base64 parts, RFC 2047 encoded headers), to check what reached the server as a mail client would.

function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function qpBytes(text: string): string {
  return Buffer.from(
    text.replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");
}

export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset, encoding: string, data: string) =>
      encoding.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : qpBytes(data.replaceAll("_", " ")),
    );
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? "7bit").toLowerCase()) {
    case "quoted-printable":
      return qpBytes(body.replace(/=\r?\n/g, ""));
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    default:
      return body;
  }
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? "" : raw.slice(at).replace(/^\r?\n\r?\n/, "");
  return { headers: headersOf(head), body };
}

export function parseMime(raw: string): Omit<ReceivedMail, "from" | "to" | "raw"> {
  const { headers, body } = split(raw);
  const parts: { type: string; content: string }[] = [];
  const collect = (h: Map<string, string>, b: string) => {
    const type = h.get("content-type") ?? "text/plain";
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (type.toLowerCase().startsWith("multipart/") && boundary) {
      for (const chunk of b.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith("--")) break;
        // The line break before a boundary belongs to the boundary, not to the part.
        const part = split(chunk.replace(/^\r?\n/, "").replace(/\r?\n$/, ""));
        collect(part.headers, part.body);
      }
    } else {
      parts.push({ type: type.toLowerCase(), content: decodeBody(b, h.get("content-transfer-encoding")) });
    }
  };
  collect(headers, body);
  return {
    messageId: headers.get("message-id") ?? "",
    subject: decodeWords(headers.get("subject") ?? ""),
    fromHeader: decodeWords(headers.get("from") ?? ""),
    text: parts.find((p) => p.type.startsWith("text/plain"))?.content.replace(/\r\n/g, "\n") ?? "",
    html: parts.find((p) => p.type.startsWith("text/html"))?.content.replace(/\r\n/g, "\n") ?? "",
  };
}
