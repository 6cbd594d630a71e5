import type { Store } from "../model/store";
import type { retailHttp } from "@comptoir/contracts/http";

// One formatter per time zone: making one costs far more than formatting with it (every receipt).
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The store's local date and time (YYYY-MM-DD HH:MM) of an instant. */
export function localDateOf(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const storeInfo = (store: Store) => ({
  id: store.id,
  code: store.code,
  name: store.name,
  address: store.address as Record<string, unknown>,
  phone: store.phone,
  timezone: store.timezone,
});

/** A sale's receipt: the original (reprint 0) or its `reprint`-th duplicate. */
export function saleReceipt(sale: retailHttp.Sale, store: Store, reprint: number): retailHttp.Receipt {
  const lineDiscounts = sale.lines.reduce((a, l) => a + l.lineDiscount, 0);
  return {
    kind: "sale",
    documentId: sale.id,
    receiptNumber: sale.receiptNumber,
    duplicate: reprint > 0,
    reprint,
    store: storeInfo(store),
    registerId: sale.registerId,
    cashierId: sale.cashierId,
    date: sale.completedAt,
    localDate: localDateOf(sale.completedAt, store.timezone),
    currency: sale.currency,
    lines: sale.lines.map((l) => ({
      name: l.name,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.lineDiscount,
      lineTotal: l.quantity * l.unitPrice - l.lineDiscount,
      vatRate: l.vatRate,
    })),
    subtotal: sale.subtotal,
    discountTotal: sale.discountTotal,
    basketDiscount: sale.discountTotal - lineDiscounts,
    total: sale.total,
    vat: sale.vat,
    tenders: sale.tenders,
    change: sale.change,
    refunds: [],
    originalReceiptNumber: null,
    storeCredit: null,
  };
}

/** A return's receipt (a credit note): the original (reprint 0) or a duplicate. */
export function returnReceipt(
  ret: retailHttp.Return,
  store: Store,
  reprint: number,
  originalReceiptNumber: string | null,
): retailHttp.Receipt {
  return {
    kind: "return",
    documentId: ret.id,
    receiptNumber: ret.receiptNumber ?? "",
    duplicate: reprint > 0,
    reprint,
    store: storeInfo(store),
    registerId: ret.registerId,
    cashierId: ret.cashierId,
    date: ret.completedAt ?? ret.createdAt,
    localDate: localDateOf(ret.completedAt ?? ret.createdAt, store.timezone),
    currency: ret.currency,
    lines: ret.lines.map((l) => ({
      name: l.name,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.quantity * l.unitPrice - l.lineTotal,
      lineTotal: l.lineTotal,
      vatRate: l.vatRate,
    })),
    subtotal: ret.lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0),
    discountTotal: ret.lines.reduce((a, l) => a + l.quantity * l.unitPrice - l.lineTotal, 0),
    basketDiscount: 0,
    total: ret.total,
    vat: ret.vat,
    tenders: [],
    change: 0,
    refunds: ret.refunds,
    originalReceiptNumber,
    storeCredit: ret.storeCredit,
  };
}
