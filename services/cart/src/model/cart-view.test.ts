import { randomUUID } from "node:crypto";
import type { catalogHttp } from "@comptoir/contracts/http";
import { describe, expect, it } from "vitest";
import { addLine, type LineData, newCart } from "./cart";
import { renderCart } from "./cart-view";

const TTL = { guestSeconds: 60, customerSeconds: 3600 };
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
const line = (price = 1000, currency = "EUR"): LineData => ({
  variantId: randomUUID(),
  priceAtAdd: price,
  currency,
  productId: randomUUID(),
  sku: "SKU",
  name: "Pull",
  thumbnailUrl: null,
});
const guest = () => newCart({ id: randomUUID(), tokenHash: "00".repeat(32) }, at(0), TTL);

/** Catalog's answer for a line's variant, at `price` and `status`. */
const variantOf = (l: LineData, price: number, status: catalogHttp.ProductStatus = "active") =>
  [
    l.variantId,
    {
      id: l.variantId,
      productId: l.productId,
      sku: l.sku,
      options: {},
      price,
      compareAtPrice: null,
      currency: l.currency,
      barcode: null,
      position: 0,
      vatRate: 2000,
      productName: "Pull marin",
      productSlug: "pull-marin",
      productStatus: status,
      thumbnailUrl: null,
    },
  ] as const;

describe("the cart as shown", () => {
  it("leaves lines in another currency out of the subtotal, with a warning", () => {
    const eur = line(1000, "EUR");
    const chf = line(900, "CHF");
    const cart = addLine(addLine(guest(), eur, 2, at(1)), chf, 1, at(1));
    const view = renderCart(cart, { catalog: undefined, availability: undefined });
    expect(view).toMatchObject({ currency: "EUR", subtotal: 2000, itemCount: 3 });
    expect(view.warnings.map((w) => w.code)).toEqual([
      "pricing_unavailable",
      "availability_unavailable",
      "currency_mismatch",
    ]);
  });

  it("is re-priced from catalog and checked against stock, flagging each change without altering the cart", () => {
    const dearer = line(1000);
    const gone = line(500);
    const short = line(300);
    const cart = addLine(addLine(addLine(guest(), dearer, 2, at(1)), gone, 1, at(1)), short, 4, at(1));
    const view = renderCart(cart, {
      catalog: new Map([variantOf(dearer, 1200), variantOf(gone, 500, "archived"), variantOf(short, 300)]),
      availability: new Map([
        [dearer.variantId, { available: 10 }],
        [short.variantId, { available: 3 }],
      ]),
    });
    expect(view.items.map((l) => [l.unitPrice, l.priceAtAdd, l.priceChanged, l.unavailable, l.available])).toEqual([
      [1200, 1000, true, false, 10],
      [500, 500, false, true, 0],
      [300, 300, false, false, 3],
    ]);
    expect(view.items[2]).toMatchObject({ quantity: 4, insufficientStock: true, name: "Pull marin" });
    // The variant no longer sold stays in the cart but out of the subtotal.
    expect(view).toMatchObject({ subtotal: 2 * 1200 + 4 * 300, itemCount: 7 });
    expect(view.warnings.map((w) => [w.variantId, w.code])).toEqual([
      [dearer.variantId, "price_changed"],
      [gone.variantId, "variant_unavailable"],
      [gone.variantId, "insufficient_stock"],
      [short.variantId, "insufficient_stock"],
    ]);
  });

  it("as stored, when the caller prices it itself: no warning about catalog or inventory", () => {
    const cart = addLine(guest(), line(), 1, at(1));
    const view = renderCart(cart, { catalog: undefined, availability: undefined, skipped: true });
    expect(view.warnings).toEqual([]);
    expect(view.items[0]).toMatchObject({ available: null, insufficientStock: false, unavailable: false });
  });
});
