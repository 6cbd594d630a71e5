/**
 * Printing a receipt at the till: the page of an 80 mm printer, put into a hidden frame of this
 * page and printed from there (window.print of the frame), so the till's screen stays as it is.
 * The page's CSP forbids inline styles: a receipt's style sheet is given to the frame as a
 * constructed style sheet (CSSOM), its markup imported without any script.
 */

export const RECEIPT_CSS = `
@page { size: 80mm auto; margin: 4mm; }
body { width: 72mm; margin: 0 auto; font: 12px/1.35 "Courier New", monospace; color: #000; }
h1 { font-size: 15px; text-align: center; margin: 0; }
.c { text-align: center; } .r { text-align: right; white-space: nowrap; } .s { font-size: 10px; }
table { width: 100%; border-collapse: collapse; } hr { border: 0; border-top: 1px dashed #000; }
.t td { font-weight: bold; font-size: 14px; }
.warn { font-size: 14px; font-weight: bold; text-align: center; border: 2px solid #000; padding: 2px; }
`;

const FRAME_ID = "pos-print-frame";

/** Escapes text for the receipt's markup. */
export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Prints an HTML page (a whole document: its <style> and <body>) in the till's print frame. */
export function printDocument(html: string, title: string): void {
  // The style sheets are taken out before parsing: even an inert parsed document's <style> meets the CSP.
  const css: string[] = [];
  const markup = html.replace(/<style[^>]*>([\s\S]*?)<\/style>/gi, (_whole, text: string) => {
    css.push(text);
    return "";
  });
  const parsed = new DOMParser().parseFromString(markup, "text/html");
  for (const script of parsed.querySelectorAll("script")) script.remove();
  document.getElementById(FRAME_ID)?.remove();
  const frame = document.createElement("iframe");
  frame.id = FRAME_ID;
  frame.title = title;
  frame.className = "pos-print-frame";
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  document.body.append(frame);
  const win = frame.contentWindow!;
  const doc = frame.contentDocument!;
  doc.title = title;
  doc.documentElement.lang = parsed.documentElement.lang || "fr";
  const sheet = new (win as unknown as typeof window).CSSStyleSheet();
  sheet.replaceSync(css.join("\n"));
  doc.adoptedStyleSheets = [sheet];
  for (const node of [...parsed.body.childNodes]) doc.body.append(doc.importNode(node, true));
  win.focus();
  // print() returns once the printer's dialog is closed: the frame has done its work.
  win.print();
  setTimeout(() => frame.remove(), 0);
}
