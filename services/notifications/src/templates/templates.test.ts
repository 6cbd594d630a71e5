import { describe, expect, it } from "vitest";
import { formatMoney, LANGUAGES } from "./format";
import { render, TEMPLATE_NAMES, type TemplateData, type TemplateName } from "./index";

const order = {
  orderId: "0192f5a0-0000-7000-8000-0000abcdef12",
  placedAt: "2025-03-01T09:30:00.000Z",
  lines: [
    { name: "Robe d'été", sku: "RB-M", quantity: 2, unitPrice: 4990 },
    { name: "Ceinture <cuir>", sku: "CT-1", quantity: 1, unitPrice: 1250 },
  ],
  totals: { subtotal: 11230, shipping: 0, total: 11230, currency: "EUR" },
  shippingAddress: {
    name: "Camille Martin",
    line1: "12 rue des Lilas",
    line2: null,
    city: "Lyon",
    postalCode: "69003",
    country: "FR",
  },
};
const supply = {
  name: "Claire Dubois",
  requestId: "0192f5a0-0000-7000-8000-00000000aa01",
  lines: [
    {
      variantId: "0192f5a0-0000-7000-8000-00000000bb01",
      quantity: 5,
      productName: "Robe d'été",
      options: "M",
      sku: "RB-M",
    },
    { variantId: "0192f5a0-0000-7000-8000-00000000bb02", quantity: 3, productName: null, options: "", sku: null },
  ],
  note: "Pour samedi",
  decidedByName: "Marc Leroy",
  reason: "Stock central insuffisant",
};

/** One sample per template, and a value each must show in both languages. */
const SAMPLES: { [N in TemplateName]: { data: TemplateData[N]; shows: string[] } } = {
  welcome: { data: { name: "Camille" }, shows: ["Camille"] },
  order_received: { data: order, shows: ["ABCDEF12", "Robe d'été", "RB-M", "Camille Martin", "69003 Lyon"] },
  order_confirmed: { data: order, shows: ["ABCDEF12", "Robe d'été", "Camille Martin"] },
  order_shipped: {
    data: { ...order, carrier: "Colissimo", trackingNumber: "6A12345678901" },
    shows: ["ABCDEF12", "Colissimo", "6A12345678901"],
  },
  order_cancelled: {
    data: { ...order, reason: "Changement d'avis", refundFollows: true },
    shows: ["Changement d'avis"],
  },
  order_refunded: { data: { ...order, refundedAmount: 4990, reason: null }, shows: ["ABCDEF12"] },
  low_stock: {
    data: {
      name: "Marc Leroy",
      productName: "Robe d'été",
      sku: "RB-M",
      available: 2,
      threshold: 5,
      locationKind: "store",
      storeId: "0192f5a0-0000-7000-8000-000000000001",
      ownStore: true,
    },
    shows: ["Marc Leroy", "Robe d'été", "RB-M"],
  },
  supply_approved: { data: supply, shows: ["Claire Dubois", "Marc Leroy", "Robe d'été — M (RB-M)", "Pour samedi"] },
  supply_rejected: { data: supply, shows: ["Stock central insuffisant", "Robe d'été — M (RB-M)"] },
  supply_completed: { data: supply, shows: ["Robe d'été — M (RB-M)"] },
  supply_failed: { data: supply, shows: ["Stock central insuffisant", "0192f5a0-0000-7000-8000-00000000bb02"] },
};

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("'", "&#39;");

describe("templates", () => {
  it("every template has a sample", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  describe.each(TEMPLATE_NAMES)("%s", (name) => {
    it.each(LANGUAGES)("renders in %s: subject, text and HTML with the data", (language) => {
      const { data, shows } = SAMPLES[name];
      const mail = render(name, language, data as never);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.html).toContain(`<html lang="${language}">`);
      expect(mail.html).toContain(`<title>${escapeHtml(mail.subject)}</title>`);
      for (const value of shows) {
        expect(mail.text).toContain(value);
        expect(mail.html).toContain(escapeHtml(value));
      }
      expect(mail.text).not.toMatch(/undefined|null|NaN|\[object/);
      expect(mail.html).not.toMatch(/undefined|NaN|\[object/);
    });

    it("is written differently in French and in English", () => {
      const { data } = SAMPLES[name];
      const fr = render(name, "fr", data as never);
      const en = render(name, "en", data as never);
      expect(fr.subject).not.toBe(en.subject);
      expect(fr.text).not.toBe(en.text);
      expect(fr.text).toContain("Bonjour");
      expect(en.text).toContain("Hello");
    });
  });

  it("escapes values in the HTML part and keeps them as they are in the text part", () => {
    const mail = render("order_confirmed", "fr", order);
    expect(mail.text).toContain("Ceinture <cuir>");
    expect(mail.html).toContain("Ceinture &lt;cuir&gt;");
    expect(mail.html).not.toContain("<cuir>");
    const hostile = render("welcome", "en", { name: `<script>alert("x")</script>` });
    expect(hostile.html).not.toContain("<script>");
    expect(hostile.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });

  it("keeps a subject on one line whatever the values", () => {
    const mail = render("low_stock", "en", {
      ...SAMPLES.low_stock.data,
      productName: "Robe\r\nBcc: everyone@example.com",
    });
    expect(mail.subject).toBe("Low stock: Robe Bcc: everyone@example.com (RB-M)");
  });

  it("writes amounts per language from minor units and currency", () => {
    expect(formatMoney(1250, "EUR", "fr")).toBe("12,50\u00a0€");
    expect(formatMoney(1250, "EUR", "en")).toBe("€12.50");
    expect(formatMoney(123456, "EUR", "fr")).toBe("1\u202f234,56\u00a0€");
    expect(formatMoney(1999, "USD", "en")).toBe("US$19.99");
    expect(formatMoney(1500, "JPY", "en")).toBe("JP¥1,500");
    const fr = render("order_confirmed", "fr", order);
    expect(fr.text).toContain("99,80\u00a0€"); // 2 × 49,90
    expect(fr.text).toContain("112,30\u00a0€");
    expect(fr.text).toMatch(/Livraison\s*:\s+offerte/);
    const en = render("order_refunded", "en", { ...order, refundedAmount: 4990, reason: null });
    expect(en.subject).toBe("Refund of €49.90 for your order ABCDEF12");
  });

  it("the confirmation shows the VAT table under the totals (rate, base, VAT, total), in French and in English", () => {
    const withVat = {
      ...order,
      vat: [
        { rate: 2000, base: 8317, vat: 1663, total: 9980 },
        { rate: 550, base: 1185, vat: 65, total: 1250 },
      ],
    };
    const fr = render("order_confirmed", "fr", withVat);
    const frTable = fr.text.slice(fr.text.indexOf("Dont TVA"));
    expect(fr.text.indexOf("Dont TVA")).toBeGreaterThan(fr.text.indexOf("Total"));
    expect(frTable.split("\n").slice(0, 4)).toEqual([
      "Dont TVA\u00a0:",
      expect.stringMatching(/^Taux\s+Base HT\s+TVA\s+Total TTC$/),
      expect.stringMatching(/^20\u00a0%\s+83,17\u00a0€\s+16,63\u00a0€\s+99,80\u00a0€$/),
      expect.stringMatching(/^5,5\u00a0%\s+11,85\u00a0€\s+0,65\u00a0€\s+12,50\u00a0€$/),
    ]);
    expect(fr.html).toContain("<th");
    expect(fr.html).toContain("Total TTC");
    expect(fr.html).toContain("83,17\u00a0€");
    const en = render("order_confirmed", "en", withVat);
    const enTable = en.text.slice(en.text.indexOf("VAT included"));
    expect(enTable.split("\n").slice(0, 4)).toEqual([
      "VAT included:",
      expect.stringMatching(/^Rate\s+Base \(excl\. VAT\)\s+VAT\s+Total \(incl\. VAT\)$/),
      expect.stringMatching(/^20%\s+€83\.17\s+€16\.63\s+€99\.80$/),
      expect.stringMatching(/^5\.5%\s+€11\.85\s+€0\.65\s+€12\.50$/),
    ]);
    // An order without a breakdown (placed before orders kept one) has no table; other mails never show it.
    expect(render("order_confirmed", "fr", order).text).not.toContain("TVA");
    expect(render("order_shipped", "fr", { ...withVat, carrier: null, trackingNumber: null }).text).not.toContain(
      "Dont TVA",
    );
  });

  it("writes dates and countries in the reader's language", () => {
    expect(render("order_confirmed", "fr", order).text).toContain("1 mars 2025");
    expect(render("order_confirmed", "en", order).text).toContain("1 March 2025");
    expect(
      render("order_confirmed", "fr", { ...order, shippingAddress: { ...order.shippingAddress, country: "DE" } }).text,
    ).toContain("Allemagne");
  });
});
