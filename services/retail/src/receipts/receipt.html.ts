import type { retailHttp } from "@comptoir/contracts/http";

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** 1234 → "12,34" (French receipts). */
export const money = (cents: number) => {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, "0")}`;
};

const rate = (bp: number) => `${(bp / 100).toLocaleString("fr-FR")} %`;

const METHOD: Record<string, string> = { cash: "Espèces", card: "Carte bancaire", store_credit: "Avoir" };

const row = (left: string, right: string, cls = "") =>
  `<tr${cls ? ` class="${cls}"` : ""}><td>${left}</td><td class="r">${right}</td></tr>`;

/**
 * A receipt as a page for an 80 mm thermal printer (72 mm printable): store, date in the store's
 * timezone, cashier, lines, discounts, the VAT table, tenders, change and the receipt number;
 * "DUPLICATA" with the reprint count on every reprint.
 */
export function receiptHtml(r: retailHttp.Receipt): string {
  const a = r.store.address as { line1?: string; line2?: string; postalCode?: string; city?: string };
  const title = r.kind === "sale" ? "TICKET" : "AVOIR / RETOUR";
  const lines = r.lines
    .map(
      (l) =>
        `<tr><td colspan="2">${escape(l.name)} <span class="s">${escape(l.sku)}</span></td></tr>` +
        row(
          `${l.quantity} x ${money(l.unitPrice)}${l.discount ? ` (remise -${money(l.discount)})` : ""}`,
          money(l.lineTotal),
        ),
    )
    .join("");
  const vat = r.vat
    .map(
      (v) =>
        `<tr><td>${rate(v.rate)}</td><td class="r">${money(v.base)}</td><td class="r">${money(v.vat)}</td><td class="r">${money(v.total)}</td></tr>`,
    )
    .join("");
  const tenders = r.tenders
    .map((t) => row(`${METHOD[t.method]}${t.last4 ? ` ****${t.last4}` : ""}`, money(t.amount)))
    .join("");
  const refunds = r.refunds.map((t) => row(`Remboursé ${METHOD[t.method]}`, money(t.amount))).join("");
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${title} ${escape(r.receiptNumber)}</title>
<style>
@page { size: 80mm auto; margin: 4mm; }
body { width: 72mm; margin: 0 auto; font: 12px/1.35 "Courier New", monospace; color: #000; }
h1 { font-size: 15px; text-align: center; margin: 0; }
.c { text-align: center; } .r { text-align: right; white-space: nowrap; } .s { font-size: 10px; }
table { width: 100%; border-collapse: collapse; } hr { border: 0; border-top: 1px dashed #000; }
.t td { font-weight: bold; font-size: 14px; } .dup { font-size: 16px; font-weight: bold; text-align: center; border: 2px solid #000; }
</style></head><body>
${r.duplicate ? `<p class="dup">DUPLICATA n° ${r.reprint}</p>` : ""}
<h1>${escape(r.store.name)}</h1>
<p class="c">${escape(a.line1 ?? "")}${a.line2 ? `<br>${escape(a.line2)}` : ""}<br>${escape(a.postalCode ?? "")} ${escape(a.city ?? "")}<br>Tél. ${escape(r.store.phone)}</p>
<hr>
<p>${title} n° ${escape(r.receiptNumber)}<br>${escape(r.localDate)}<br>Caisse ${escape(r.registerId.slice(-8))} · Vendeur ${escape(r.cashierId.slice(-8))}${r.originalReceiptNumber ? `<br>Ticket d'origine ${escape(r.originalReceiptNumber)}` : ""}</p>
<hr>
<table>${lines}</table>
<hr>
<table>
${row("Sous-total", money(r.subtotal))}
${r.discountTotal ? row("Remises", `-${money(r.discountTotal)}`) : ""}
${r.basketDiscount ? row("dont remise panier", `-${money(r.basketDiscount)}`) : ""}
${row(`TOTAL TTC ${escape(r.currency)}`, money(r.total), "t")}
</table>
<hr>
<table><tr><td>TVA</td><td class="r">HT</td><td class="r">TVA</td><td class="r">TTC</td></tr>${vat}</table>
<hr>
<table>${tenders}${r.change ? row("Rendu", money(r.change)) : ""}${refunds}</table>
${r.storeCredit ? `<p class="c">Avoir n° ${escape(r.storeCredit.code)} : ${money(r.storeCredit.amount)} ${escape(r.currency)}</p>` : ""}
<hr><p class="c">Merci de votre visite</p>
</body></html>`;
}
