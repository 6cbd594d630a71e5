import { randomUUID } from "node:crypto";
import { Agent, FormData, fetch } from "undici";
import { expect } from "vitest";
import { type Answer, call, platform, token } from "./platform";

/**
 * What the OWASP files need to buy something through the gateway without touching the demo stock:
 * a product of their own with an exact stock at the online location (none elsewhere), carts, and
 * checkouts (test/e2e/shop.e2e.test.ts does the same for the shop's story).
 */

/** The payments test provider's cards (services/payments/README.md). */
export const CARDS = {
  good: { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" },
  declined: { number: "4000000000000002", expMonth: 12, expYear: 2030, cvc: "123" },
  insufficientFunds: { number: "4000000000009995", expMonth: 12, expYear: 2030, cvc: "123" },
  /** Answers after 30 s, past payments' 5 s provider timeout. */
  slow: { number: "4000000000000051", expMonth: 12, expYear: 2030, cvc: "123" },
};
export type Card = (typeof CARDS)[keyof typeof CARDS];

export const ADDRESS = {
  name: "Camille Martin",
  line1: "12 rue des Lilas",
  city: "Lyon",
  postalCode: "69003",
  country: "FR",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

export interface Locations {
  online: string;
  central: string;
  stores: string[];
  all: string[];
}

/** The stock locations (the admin's view). */
export async function locations(from: string): Promise<Locations> {
  const res = await call("GET", "/api/inventory/locations?limit=100", { token: await token("admin", from), from });
  expect(res.status, res.text).toBe(200);
  // Oldest first: the demo's own locations before any the fuzz (running alongside) creates.
  const all = (res.body.data as { id: string; kind: string; createdAt: string }[]).sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  return {
    online: all.find((l) => l.kind === "online")!.id,
    central: all.find((l) => l.kind === "central")!.id,
    stores: all.filter((l) => l.kind === "store").map((l) => l.id),
    all: all.map((l) => l.id),
  };
}

export interface Level {
  onHand: number;
  reserved: number;
  available: number;
}

export async function levelOf(from: string, variantId: string, locationId: string): Promise<Level> {
  const res = await call("GET", `/api/inventory/stock?variantId=${variantId}&locationId=${locationId}`, {
    token: await token("admin", from),
    from,
  });
  expect(res.status, res.text).toBe(200);
  const { onHand, reserved, available } = res.body;
  return { onHand, reserved, available };
}

/**
 * A new active product (in a new category) with one variant, known to inventory, stocked with
 * exactly `online` units at the online location and none anywhere else.
 */
export async function newVariant(from: string, options: { price: number; online: number; name?: string }) {
  const admin = await token("admin", from);
  const where = await locations(from);
  const category = await call("POST", "/api/catalog/categories", {
    token: admin,
    body: { name: `Sécurité ${randomUUID().slice(0, 8)}` },
    from,
  });
  expect(category.status, category.text).toBe(201);
  const created = await call("POST", "/api/catalog/products", {
    token: admin,
    body: {
      categoryId: category.body.id,
      name: options.name ?? "Article de test",
      status: "active",
      variants: [{ sku: `SEC-${randomUUID().slice(0, 8)}`, options: { taille: "M" }, price: options.price }],
    },
    from,
  });
  expect(created.status, created.text).toBe(201);
  const variantId: string = created.body.variants[0].id;
  // Inventory learns the variant from catalog's events (no demo stock: only the demo catalog's
  // variants get some): wait, then set the stock exactly.
  await until(
    () => call("GET", `/api/inventory/stock?variantId=${variantId}&locationId=${where.online}`, { token: admin, from }),
    (res) => res.status === 200,
    "inventory to know the new variant",
  );
  for (const locationId of where.all) {
    const target = locationId === where.online ? options.online : 0;
    const level = await levelOf(from, variantId, locationId);
    if (level.onHand === target) continue;
    const adjusted = await call("POST", "/api/inventory/stock/adjust", {
      token: admin,
      body: {
        variantId,
        locationId,
        changeQuantity: target - level.onHand,
        type: "adjustment",
        reason: "security test",
      },
      from,
    });
    expect(adjusted.status, adjusted.text).toBe(201);
  }
  return { variantId, productId: created.body.id as string, categoryId: category.body.id as string };
}

/** The customer's own cart (created if needed), emptied, then holding `quantity` units of the variant. */
export async function customerCart(from: string, customer: string, variantId: string, quantity: number) {
  const cart = await call("POST", "/api/cart/carts", { token: customer, from });
  expect([200, 201], cart.text).toContain(cart.status);
  for (const item of cart.body.items as { variantId: string }[]) {
    await call("DELETE", `/api/cart/carts/${cart.body.id}/items/${item.variantId}`, { token: customer, from });
  }
  const added = await call("POST", `/api/cart/carts/${cart.body.id}/items`, {
    token: customer,
    body: { variantId, quantity },
    from,
  });
  expect(added.status, added.text).toBe(200);
  return cart.body.id as string;
}

/** A guest cart holding `quantity` units of the variant, with its secret token. */
export async function guestCart(from: string, variantId: string, quantity: number) {
  const created = await call("POST", "/api/cart/carts", { from });
  expect(created.status, created.text).toBe(201);
  const cart = { id: created.body.id as string, token: created.body.token as string };
  const added = await call("POST", `/api/cart/carts/${cart.id}/items`, {
    headers: { "x-cart-token": cart.token },
    body: { variantId, quantity },
    from,
  });
  expect(added.status, added.text).toBe(200);
  return cart;
}

export interface CheckoutRequest {
  cartId: string;
  /** A customer's access token; without it, a guest checkout with `cartToken` and an e-mail. */
  token?: string;
  cartToken?: string;
  email?: string;
  card?: Card;
  /** The Idempotency-Key (a new one by default). */
  key?: string;
  /** Overrides of the body (a pickup, no address, extra fields…). */
  body?: Record<string, unknown>;
}

export function checkout(from: string, request: CheckoutRequest): Promise<Answer> {
  const headers: Record<string, string> = { "idempotency-key": request.key ?? randomUUID() };
  if (request.cartToken) headers["x-cart-token"] = request.cartToken;
  return call("POST", "/api/orders/checkout", {
    token: request.token,
    headers,
    body: {
      cartId: request.cartId,
      ...(request.email ? { email: request.email } : {}),
      shippingAddress: ADDRESS,
      payment: { method: "card", card: request.card ?? CARDS.good },
      ...request.body,
    },
    from,
  });
}

/** A paid order of one unit of the variant, bought by the customer. */
export async function buy(from: string, customer: string, variantId: string) {
  const cartId = await customerCart(from, customer, variantId, 1);
  const paid = await checkout(from, { cartId, token: customer });
  expect(paid.status, paid.text).toBe(201);
  expect(paid.body.status).toBe("paid");
  return paid.body as { id: string; paymentId: string; total: number; customerId: string };
}

/** The payments of an order (the admin's view). */
export async function paymentsOf(from: string, orderId: string) {
  const res = await call("GET", `/api/payments/payments?orderId=${orderId}`, {
    token: await token("admin", from),
    from,
  });
  expect(res.status, res.text).toBe(200);
  return res.body.data as { id: string; status: string; amount: number }[];
}

/** A new product (draft unless said otherwise) in a new category, with one variant; no stock. */
export async function newProduct(from: string, status: "draft" | "active" = "draft") {
  const admin = await token("admin", from);
  const category = await call("POST", "/api/catalog/categories", {
    token: admin,
    body: { name: `Sécurité ${randomUUID().slice(0, 8)}` },
    from,
  });
  expect(category.status, category.text).toBe(201);
  const product = await call("POST", "/api/catalog/products", {
    token: admin,
    body: {
      categoryId: category.body.id,
      name: "Affiche",
      status,
      variants: [{ sku: `SEC-${randomUUID().slice(0, 8)}`, options: {}, price: 1000 }],
    },
    from,
  });
  expect(product.status, product.text).toBe(201);
  return product.body.id as string;
}

const uploadAgents = new Map<string, Agent>();
/** POST /api/catalog/products/:id/images as multipart (a part `file`, and `alt`), from `from`. */
export async function uploadImage(
  from: string,
  productId: string,
  file: Buffer | string,
  type = "image/png",
  filename = "photo.png",
): Promise<Answer> {
  let agent = uploadAgents.get(from);
  if (!agent) uploadAgents.set(from, (agent = new Agent({ localAddress: from })));
  const form = new FormData();
  form.append("file", new Blob([file], { type }), filename);
  form.append("alt", "test");
  const res = await fetch(`${platform().base}/api/catalog/products/${productId}/images`, {
    method: "POST",
    headers: { authorization: `Bearer ${await token("admin", from)}` },
    body: form,
    dispatcher: agent,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers as unknown as Headers, text, body };
}
