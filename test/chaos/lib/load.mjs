// The mixed load: virtual users (undici, keep-alive) that browse, fill carts, check out with the test
// card and have a clerk's replenishment request approved by a manager, all through the gateway and
// as the demo users. Every request is one sample {t, ms, op, status, ok, error}: a request counts as
// a success only with the status its step expects (429, 5xx, a timeout or a reset are failures).
import { randomUUID } from "node:crypto";
import { Agent, request } from "undici";
import { sleep } from "./processes.mjs";

export const DEMO_PASSWORD = "comptoir-demo";
export const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
export const ONLINE = "0192f5a0-0000-7000-8000-00000000c002";
export const STORE1 = "0192f5a0-0000-7000-8000-00000000c101";
const GOOD_CARD = { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" };
const ADDRESS = { name: "Camille Martin", line1: "12 rue des Lilas", city: "Lyon", postalCode: "69003", country: "FR" };
const TIMEOUT_MS = 10_000;
/** Answers that mean "the same checkout is still running": asked again with the same key. */
const IN_PROGRESS = new Set(["checkout_in_progress", "idempotency_key_in_progress"]);

export class Client {
  constructor(base, { connections = 64 } = {}) {
    this.base = base;
    this.agent = new Agent({
      connections,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
      keepAliveTimeout: 4000,
    });
    this.samples = [];
    this.recording = true;
  }

  /** One request; `expect` lists the statuses that mean success for this step. */
  async call(op, method, path, { token, cartToken, key, body, expect = [200] } = {}) {
    const t = Date.now();
    const started = performance.now();
    let status = 0;
    let error;
    let json;
    try {
      const res = await request(this.base + path, {
        method,
        dispatcher: this.agent,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(cartToken ? { "x-cart-token": cartToken } : {}),
          ...(key ? { "idempotency-key": key } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.statusCode;
      const text = await res.body.text();
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
    } catch (e) {
      error = e.code ?? e.name ?? String(e);
    }
    const ms = performance.now() - started;
    const ok = !error && expect.includes(status);
    if (!ok && !error) error = `${status} ${json?.code ?? ""} ${String(json?.detail ?? "").slice(0, 90)}`.trim();
    if (this.recording) this.samples.push({ t, ms, op, status, ok, error });
    return { status, body: json, ok };
  }

  close() {
    return this.agent.close();
  }
}

/** Logs in (outside the recorded load) until it works: the set-up must not fail silently. */
export async function login(client, email, attempts = 20) {
  for (let i = 0; ; i++) {
    const res = await request(`${client.base}/api/identity/login`, {
      method: "POST",
      dispatcher: client.agent,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: DEMO_PASSWORD }),
    }).catch((e) => ({ statusCode: 0, body: { text: async () => String(e) } }));
    const text = await res.body.text();
    if (res.statusCode === 200) return JSON.parse(text).token;
    if (i >= attempts) throw new Error(`login of ${email}: ${res.statusCode} ${text.slice(0, 300)}`);
    await sleep(500);
  }
}

async function admin(client, method, path, token, body, expect = [200, 201]) {
  const res = await request(client.base + path, {
    method,
    dispatcher: client.agent,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  let json = text;
  try {
    json = JSON.parse(text);
  } catch {}
  if (!expect.includes(res.statusCode)) {
    const error = new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    error.status = res.statusCode;
    throw error;
  }
  return json;
}

/**
 * What the load needs from the demo data, checked before it starts: the products (pages and ids),
 * a set of variants stocked generously online and at the central warehouse (checkouts and transfers
 * must not fail for want of stock), and the demo users' tokens.
 */
export async function prepareShop(client, { variants: wanted = 16, log = () => {} } = {}) {
  const tokens = {
    admin: await login(client, "admin@demo.comptoir.dev"),
    manager: await login(client, "manager@demo.comptoir.dev"),
    clerk: await login(client, "clerk@demo.comptoir.dev"),
    customer: await login(client, "customer@demo.comptoir.dev"),
  };
  const products = [];
  for (let page = 1; page <= 10; page++) {
    const list = await admin(client, "GET", `/api/catalog/products?page=${page}&limit=100`, tokens.admin);
    products.push(...list.data.filter((p) => p.status === "active"));
    if (list.data.length < 100) break;
  }
  const variants = products.flatMap((p) => p.variants.map((v) => v.id));
  if (products.length === 0 || variants.length < wanted) {
    throw new Error(`the demo catalog has ${products.length} products and ${variants.length} variants: too few`);
  }
  const chosen = variants.slice(0, wanted);
  for (const variantId of chosen) {
    for (const locationId of [ONLINE, CENTRAL]) {
      // Inventory learns the variant from catalog's events: wait for it (404 until then).
      for (let i = 0; ; i++) {
        try {
          await admin(client, "POST", "/api/inventory/stock/adjust", tokens.admin, {
            variantId,
            locationId,
            changeQuantity: 1_000_000,
            type: "receipt",
            reason: "chaos harness: stock for the load",
          });
          break;
        } catch (error) {
          if (i > 120) throw error;
          await sleep(500);
        }
      }
    }
  }
  log(`shop ready: ${products.length} products, ${chosen.length} variants stocked for the load`);
  return { tokens, productIds: products.map((p) => p.id), variants: chosen, pages: Math.ceil(products.length / 20) };
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** The steps of one virtual user's visit, chosen by weight. */
const SCENARIOS = {
  browse: 60,
  cart: 20,
  checkout: 12,
  supply: 8,
};

/** What the load remembers, for the end checks: every order and request it saw succeed. */
export function newLedger() {
  return { paidOrders: [], supplyCompleted: [], supplyPending: [] };
}

/**
 * Catalog reads as the signed-in customer: an anonymous product read may be answered by the
 * gateway's shared cache, which would hide catalog's own state from the measurement.
 */
export async function browse(client, shop) {
  const token = shop.tokens.customer;
  if (Math.random() < 0.5) {
    const page = 1 + Math.floor(Math.random() * shop.pages);
    await client.call("browse.list", "GET", `/api/catalog/products?page=${page}&limit=20`, { token });
  } else {
    await client.call("browse.product", "GET", `/api/catalog/products/${pick(shop.productIds)}`, { token });
  }
}

async function fillCart(client, shop) {
  // Every write carries an Idempotency-Key: the gateway sends a keyed write again to another
  // instance when the one it went to fails or vanishes with it.
  const created = await client.call("cart.create", "POST", "/api/cart/carts", { key: randomUUID(), expect: [201] });
  if (!created.ok) return undefined;
  const cart = { id: created.body.id, token: created.body.token };
  const added = await client.call("cart.add", "POST", `/api/cart/carts/${cart.id}/items`, {
    cartToken: cart.token,
    key: randomUUID(),
    body: { variantId: pick(shop.variants), quantity: 1 + Math.floor(Math.random() * 2) },
  });
  return added.ok ? cart : undefined;
}

async function checkout(client, shop, ledger) {
  const cart = await fillCart(client, shop);
  if (!cart) return;
  const request = {
    cartToken: cart.token,
    key: randomUUID(),
    body: {
      cartId: cart.id,
      email: `chaos-${randomUUID().slice(0, 8)}@example.com`,
      shippingAddress: ADDRESS,
      payment: { method: "card", card: GOOD_CARD },
    },
    expect: [201],
  };
  let paid = await client.call("checkout", "POST", "/api/orders/checkout", request);
  // "Still running" (the instance that took it went away; it is finished by another, or a retry
  // sent elsewhere found it under way): as the web app does, ask again with the same key until it
  // ends. That answer is not a failure; a checkout that never ends is (the last ask fails).
  for (let i = 0; !paid.ok && IN_PROGRESS.has(paid.body?.code) && i < 20; i++) {
    if (client.recording) Object.assign(client.samples.at(-1), { ok: true, error: undefined });
    await sleep(1000);
    paid = await client.call("checkout.again", "POST", "/api/orders/checkout", request);
  }
  if (paid.ok) {
    if (paid.body.status !== "paid") throw new Error(`checkout answered 201 with status ${paid.body.status}`);
    ledger.paidOrders.push(paid.body.id);
  }
}

async function supply(client, shop, ledger) {
  const created = await client.call("supply.request", "POST", "/api/supply/requests", {
    token: shop.tokens.clerk,
    key: randomUUID(),
    body: { locationId: STORE1, items: [{ variantId: pick(shop.variants), quantity: 1 }], note: "chaos" },
    expect: [201],
  });
  if (!created.ok) return;
  const approved = await client.call("supply.approve", "POST", `/api/supply/requests/${created.body.id}/approve`, {
    token: shop.tokens.manager,
    key: randomUUID(),
    expect: [200, 202],
  });
  if (!approved.ok) return;
  const status = approved.body.status;
  if (status === "completed") ledger.supplyCompleted.push(created.body.id);
  else if (status === "approved") ledger.supplyPending.push(created.body.id);
  else {
    // A transfer that fails with stock available is a failure of the platform, not of the shop.
    client.samples[client.samples.length - 1].ok = false;
    client.samples[client.samples.length - 1].error = `approve → ${status}: ${approved.body.reason ?? ""}`.slice(
      0,
      200,
    );
  }
}

/**
 * Runs `users` virtual users until `stop()`; each picks a scenario by weight, runs it, and thinks
 * `thinkMs` (± 50 %). Tokens are renewed every 5 minutes (they last 15).
 */
export function runLoad(client, shop, { users = 12, thinkMs = 50, mix = SCENARIOS, ledger = newLedger() } = {}) {
  let running = true;
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const choose = () => {
    let r = Math.random() * total;
    for (const [name, weight] of Object.entries(mix)) if ((r -= weight) < 0) return name;
    return "browse";
  };
  const renew = setInterval(async () => {
    try {
      shop.tokens.clerk = await login(client, "clerk@demo.comptoir.dev", 3);
      shop.tokens.manager = await login(client, "manager@demo.comptoir.dev", 3);
      shop.tokens.customer = await login(client, "customer@demo.comptoir.dev", 3);
    } catch {}
  }, 5 * 60_000);
  const user = async () => {
    while (running) {
      const scenario = choose();
      try {
        if (scenario === "browse") await browse(client, shop);
        else if (scenario === "cart") await fillCart(client, shop);
        else if (scenario === "checkout") await checkout(client, shop, ledger);
        else await supply(client, shop, ledger);
      } catch (error) {
        client.samples.push({
          t: Date.now(),
          ms: 0,
          op: scenario,
          status: 0,
          ok: false,
          error: `harness: ${error.message}`,
        });
      }
      await sleep(thinkMs * (0.5 + Math.random()));
    }
  };
  const done = Promise.all(Array.from({ length: users }, user));
  return {
    ledger,
    async stop() {
      running = false;
      clearInterval(renew);
      await done;
    },
  };
}
