import type { Language } from "./format";

/**
 * What a template writes: plain text in blocks, never markup. The renderer below turns it into the
 * plain-text part and the HTML part of the mail, escaping every value for HTML, so that a product
 * called `<b>Robe</b>` reads as such and can inject nothing.
 */
export type Block =
  | { kind: "paragraph"; text: string }
  /** Label / value pairs: totals, a tracking number, a stock level. */
  | { kind: "facts"; rows: readonly (readonly [label: string, value: string])[] }
  /** A bulleted list: order lines, requested goods, an address. */
  | { kind: "list"; title?: string; items: readonly string[] }
  /**
   * A table with a header row: a VAT breakdown. The first column is text (left-aligned), the others
   * figures (right-aligned in the plain-text part).
   */
  | { kind: "table"; title?: string; columns: readonly string[]; rows: readonly (readonly string[])[] };

export interface MailContent {
  subject: string;
  /** "Bonjour Camille," — the first line. */
  greeting: string;
  blocks: Block[];
}

/** A rendered mail: what a message row stores and what is sent. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A template: one function per language, each writing the whole mail in it. */
export type Template<D> = Record<Language, (data: D) => MailContent>;

/** "Bonjour Camille," / "Hello Camille," (without a name when none is known). */
export const hello = (language: Language, name: string | null | undefined): string =>
  language === "fr" ? (name ? `Bonjour ${name},` : "Bonjour,") : name ? `Hello ${name},` : "Hello,";

export const paragraph = (text: string): Block => ({ kind: "paragraph", text });
export const facts = (rows: readonly (readonly [string, string])[]): Block => ({ kind: "facts", rows });
export const list = (items: readonly string[], title?: string): Block => ({ kind: "list", items, title });
export const table = (columns: readonly string[], rows: readonly (readonly string[])[], title?: string): Block => ({
  kind: "table",
  columns,
  rows,
  title,
});

const FOOTER: Record<Language, { signature: string; notice: string }> = {
  fr: {
    signature: "L'équipe Comptoir",
    notice: "Ce message vous a été envoyé automatiquement par Comptoir ; merci de ne pas y répondre.",
  },
  en: {
    signature: "The Comptoir team",
    notice: "This message was sent automatically by Comptoir; please do not reply to it.",
  },
};

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A subject is one line: values from events (a product name) cannot add headers or lines to it. */
function oneLine(value: string): string {
  return value.replace(/[\s\p{Cc}]+/gu, " ").trim();
}

/** French puts a (non-breaking) space before a colon, English does not. */
const colon = (language: Language) => (language === "fr" ? "\u00a0:" : ":");

function textOf(content: MailContent, language: Language): string {
  const parts: string[] = [content.greeting];
  for (const block of content.blocks) {
    if (block.kind === "paragraph") parts.push(block.text);
    else if (block.kind === "list") {
      const items = block.items.map((item) => `- ${item}`).join("\n");
      parts.push(block.title ? `${block.title}${colon(language)}\n${items}` : items);
    } else if (block.kind === "table") {
      const all = [block.columns, ...block.rows];
      const widths = block.columns.map((_, c) => Math.max(...all.map((row) => (row[c] ?? "").length)));
      const lines = all.map((row) =>
        widths
          .map((width, c) => (c === 0 ? (row[c] ?? "").padEnd(width) : (row[c] ?? "").padStart(width)))
          .join("  ")
          .trimEnd(),
      );
      parts.push([...(block.title ? [`${block.title}${colon(language)}`] : []), ...lines].join("\n"));
    } else {
      const labels = block.rows.map(([label]) => `${label}${colon(language)}`);
      const width = Math.max(...labels.map((l) => l.length));
      parts.push(block.rows.map(([, value], i) => `${labels[i]!.padEnd(width)} ${value}`).join("\n"));
    }
  }
  const footer = FOOTER[language];
  parts.push(footer.signature, `--\n${footer.notice}`);
  return `${parts.join("\n\n")}\n`;
}

const withBreaks = (text: string) => escapeHtml(text).replaceAll("\n", "<br>");

function htmlOf(content: MailContent, subject: string, language: Language): string {
  const body: string[] = [`<p style="margin:0 0 16px">${withBreaks(content.greeting)}</p>`];
  for (const block of content.blocks) {
    if (block.kind === "paragraph") body.push(`<p style="margin:0 0 16px">${withBreaks(block.text)}</p>`);
    else if (block.kind === "list") {
      if (block.title) body.push(`<p style="margin:0 0 4px;font-weight:bold">${escapeHtml(block.title)}</p>`);
      body.push(
        `<ul style="margin:0 0 16px;padding-left:20px">${block.items
          .map((item) => `<li style="margin:0 0 4px">${escapeHtml(item)}</li>`)
          .join("")}</ul>`,
      );
    } else if (block.kind === "table") {
      if (block.title) body.push(`<p style="margin:0 0 4px;font-weight:bold">${escapeHtml(block.title)}</p>`);
      const cell = (tag: "th" | "td", value: string, c: number) =>
        `<${tag} style="padding:4px 0 4px ${c === 0 ? "0" : "16px"};text-align:${c === 0 ? "left" : "right"}` +
        `${tag === "th" ? ";color:#52525b;font-weight:normal" : ""}">${escapeHtml(value)}</${tag}>`;
      const head = `<tr>${block.columns.map((value, c) => cell("th", value, c)).join("")}</tr>`;
      const rows = block.rows.map((row) => `<tr>${row.map((value, c) => cell("td", value, c)).join("")}</tr>`).join("");
      body.push(`<table role="presentation" style="border-collapse:collapse;margin:0 0 16px">${head}${rows}</table>`);
    } else {
      const rows = block.rows
        .map(
          ([label, value]) =>
            `<tr><td style="padding:4px 16px 4px 0;color:#52525b">${escapeHtml(label)}</td>` +
            `<td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
        )
        .join("");
      body.push(`<table role="presentation" style="border-collapse:collapse;margin:0 0 16px">${rows}</table>`);
    }
  }
  const footer = FOOTER[language];
  body.push(`<p style="margin:0">${escapeHtml(footer.signature)}</p>`);
  return [
    "<!DOCTYPE html>",
    `<html lang="${language}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f4f5;font-family:Helvetica,Arial,sans-serif;color:#18181b;font-size:15px;line-height:1.5">',
    '<div style="max-width:560px;margin:0 auto;padding:24px">',
    '<p style="margin:0 0 16px;font-size:20px;font-weight:bold">Comptoir</p>',
    '<div style="background:#ffffff;border-radius:8px;padding:24px">',
    ...body,
    "</div>",
    `<p style="margin:16px 0 0;font-size:12px;color:#71717a">${escapeHtml(footer.notice)}</p>`,
    "</div>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** The subject, the plain-text part and the HTML part of a mail. */
export function renderMail(content: MailContent, language: Language): RenderedMail {
  const subject = oneLine(content.subject);
  return { subject, text: textOf(content, language), html: htmlOf(content, subject, language) };
}
