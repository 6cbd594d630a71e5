import type { I18n } from "../app/i18n/i18n";
import type { LocalReceipt } from "./db";
import { esc, RECEIPT_CSS } from "./print";
import type { Receipt } from "./types";

/** What both receipts print: the platform's (a registered sale) and the till's own (not yet registered). */
interface Printable {
  number: string | null;
  date: string;
  lines: LocalReceipt["lines"];
  subtotal: number;
  discountTotal: number;
  total: number;
  vat: LocalReceipt["vat"];
  tenders: { method: "cash" | "card" | "store_credit"; amount: number; last4?: string }[];
  change: number;
  currency: string;
}

export function fromServer(r: Receipt): Printable {
  return {
    number: r.receiptNumber,
    date: r.localDate,
    lines: r.lines,
    subtotal: r.subtotal,
    discountTotal: r.discountTotal,
    total: r.total,
    vat: r.vat,
    tenders: r.tenders,
    change: r.change,
    currency: r.currency,
  };
}

export function fromLocal(r: LocalReceipt, i18n: I18n): Printable {
  return { ...r, number: null, date: i18n.date(r.date) };
}

/**
 * The receipt as an 80 mm page. A sale the platform has not registered yet says so at the top and
 * bottom, with the till's sale id instead of a receipt number (the platform numbers it when it arrives).
 */
export function receiptPage(p: Printable, store: string, i18n: I18n, saleId: string): string {
  const { t, money, rate } = i18n;
  const m = (cents: number) => esc(money(cents, p.currency));
  const row = (left: string, right: string, cls = "") =>
    `<tr${cls ? ` class="${cls}"` : ""}><td>${left}</td><td class="r">${right}</td></tr>`;
  const warning = p.number ? "" : `<p class="warn">${esc(t("pos.receipt.notRegistered"))}</p>`;
  const lines = p.lines
    .map(
      (l) =>
        `<tr><td colspan="2">${esc(l.name)} <span class="s">${esc(l.sku)}</span></td></tr>` +
        row(
          `${l.quantity} × ${m(l.unitPrice)}${l.discount ? ` (${esc(t("pos.receipt.discount"))} −${m(l.discount)})` : ""}`,
          m(l.lineTotal),
        ),
    )
    .join("");
  const vat = p.vat
    .map((v) => `<tr><td>${esc(rate(v.rate))}</td><td class="r">${m(v.base)}</td><td class="r">${m(v.vat)}</td></tr>`)
    .join("");
  const tenders = p.tenders
    .map((x) => row(esc(t(`pos.tender.${x.method}`)) + (x.last4 ? ` ****${esc(x.last4)}` : ""), m(x.amount)))
    .join("");
  return `<!doctype html><html lang="${i18n.lang}"><head><title>${esc(t("pos.receipt.title"))}</title>
<style>${RECEIPT_CSS}</style></head><body>${warning}
<h1>${esc(store)}</h1>
<p>${
    p.number ? `${esc(t("pos.receipt.number"))} ${esc(p.number)}` : `${esc(t("pos.receipt.saleId"))} ${esc(saleId)}`
  }<br>${esc(p.date)}</p><hr>
<table>${lines}</table><hr>
<table>${row(esc(t("pos.sale.subtotal")), m(p.subtotal))}${
    p.discountTotal ? row(esc(t("pos.sale.discounts")), `−${m(p.discountTotal)}`) : ""
  }${row(esc(t("pos.sale.total")), m(p.total), "t")}</table><hr>
<table><tr><td>${esc(t("pos.receipt.vat"))}</td><td class="r">${esc(t("pos.receipt.base"))}</td><td class="r">${esc(
    t("pos.receipt.vatAmount"),
  )}</td></tr>${vat}</table><hr>
<table>${tenders}${p.change ? row(esc(t("pos.pay.change")), m(p.change)) : ""}</table>
<hr><p class="c">${esc(t("pos.receipt.thanks"))}</p>${warning}</body></html>`;
}
