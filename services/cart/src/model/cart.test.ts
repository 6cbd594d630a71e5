import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  addLine,
  associate,
  type Cart,
  type LineData,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  isLive,
  newCart,
  removeLine,
  setQuantity,
  takeOrdered,
  touch,
} from "./cart";

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

describe("a cart's lines", () => {
  it("merge quantities per variant and keep the order they were first added in", () => {
    const a = line();
    const b = line();
    const cart = addLine(addLine(addLine(guest(), a, 1, at(1)), b, 2, at(2)), { ...a, priceAtAdd: 1100 }, 3, at(3));
    expect(cart.items.map((l) => [l.variantId, l.quantity, l.priceAtAdd])).toEqual([
      [a.variantId, 4, 1100],
      [b.variantId, 2, 1000],
    ]);
    expect(cart.items[0]!.addedAt).toBe(at(1).toISOString());
  });

  it("hold at most 999 units per line and 100 lines, and no more than is available", () => {
    const a = line();
    const full = addLine(guest(), a, MAX_LINE_QUANTITY, at(1));
    expect(() => addLine(full, a, 1, at(2))).toThrow(expect.objectContaining({ code: "line_quantity_limit" }));
    let many = guest();
    for (let i = 0; i < MAX_LINES; i++) many = addLine(many, line(), 1, at(1));
    expect(() => addLine(many, line(), 1, at(2))).toThrow(expect.objectContaining({ code: "cart_full" }));
    expect(() => addLine(addLine(guest(), a, 2, at(1)), a, 2, at(2), 3)).toThrow(
      expect.objectContaining({
        code: "insufficient_stock",
        extensions: { variantId: a.variantId, requested: 4, available: 3 },
      }),
    );
  });

  it("are set and removed only when they exist; lowering a quantity is never checked against stock", () => {
    const a = line();
    const cart = addLine(guest(), a, 5, at(1));
    expect(setQuantity(cart, a.variantId, 2, 0).items[0]!.quantity).toBe(2);
    expect(() => setQuantity(cart, a.variantId, 6, 5)).toThrow(expect.objectContaining({ code: "insufficient_stock" }));
    expect(() => setQuantity(cart, randomUUID(), 1)).toThrow(expect.objectContaining({ code: "line_not_found" }));
    expect(removeLine(cart, a.variantId).items).toEqual([]);
    expect(() => removeLine(cart, randomUUID())).toThrow(expect.objectContaining({ code: "line_not_found" }));
  });

  it("live for their kind's lifetime after the last write", () => {
    const cart = touch(guest(), at(30), TTL);
    expect(cart.expiresAt).toBe(at(90).toISOString());
    expect(isLive(cart, at(89).getTime())).toBe(true);
    expect(isLive(cart, at(90).getTime())).toBe(false);
    expect(touch({ ...cart, customerId: randomUUID(), tokenHash: null }, at(30), TTL).expiresAt).toBe(
      new Date(at(30).getTime() + 3600_000).toISOString(),
    );
  });
});

describe("association at login", () => {
  it("adds the guest's quantities to the customer's lines, capped at the line limit", () => {
    const customerId = randomUUID();
    const a = line();
    const b = line();
    const mine = addLine(newCart({ id: randomUUID(), customerId }, at(0), TTL), a, 990, at(1));
    const theirs = addLine(addLine(guest(), { ...a, priceAtAdd: 1200 }, 20, at(5)), b, 1, at(5));
    const { cart, capped } = associate(theirs, mine, customerId);
    expect(cart.id).toBe(mine.id);
    expect(cart.items.map((l) => [l.variantId, l.quantity, l.priceAtAdd])).toEqual([
      [a.variantId, MAX_LINE_QUANTITY, 1200],
      [b.variantId, 1, 1000],
    ]);
    expect(capped).toEqual([a.variantId]);
  });

  it("gives the guest cart to a customer who has none, without its token", () => {
    const customerId = randomUUID();
    const g = addLine(guest(), line(), 1, at(1));
    const { cart } = associate(g, undefined, customerId);
    expect(cart).toMatchObject({ id: g.id, customerId, tokenHash: null, items: g.items });
  });

  it("refuses (cart_full) when the lines together are more than a cart holds", () => {
    const customerId = randomUUID();
    let mine: Cart = newCart({ id: randomUUID(), customerId }, at(0), TTL);
    for (let i = 0; i < MAX_LINES; i++) mine = addLine(mine, line(), 1, at(1));
    expect(() => associate(addLine(guest(), line(), 1, at(1)), mine, customerId)).toThrow(
      expect.objectContaining({ code: "cart_full" }),
    );
  });
});

describe("an order taken out of the cart", () => {
  it("removes the ordered quantities once per order id; other lines stay", () => {
    const a = line();
    const b = line();
    const cart = addLine(addLine(guest(), a, 3, at(1)), b, 1, at(1));
    const once = takeOrdered(cart, "order-1", [
      { variantId: a.variantId, quantity: 1 },
      { variantId: a.variantId, quantity: 1 },
      { variantId: randomUUID(), quantity: 4 },
    ]);
    expect(once.items.map((l) => [l.variantId, l.quantity])).toEqual([
      [a.variantId, 1],
      [b.variantId, 1],
    ]);
    expect(takeOrdered(once, "order-1", [{ variantId: a.variantId, quantity: 1 }])).toBe(once);
    expect(takeOrdered(once, "order-2", [{ variantId: a.variantId, quantity: 5 }]).items).toHaveLength(1);
  });
});
