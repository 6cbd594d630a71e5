import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newCustomer, token } from "../support/platform";
import { ADDRESS, buy, CARDS, checkout, customerCart, newVariant } from "../support/shop";

/**
 * OWASP API3:2023 Broken Object Property Level Authorization — properties a client must not set
 * (mass assignment of a role, a store, an owner, a price, a status) are refused, and properties a
 * client must not see (password hashes, card numbers, keys, internal bookkeeping) never appear in
 * an answer: every answer holds only the properties its published schema lists.
 */
const FROM = "127.0.3.1";
const STORE_1 = "0192f5a0-0000-7000-8000-000000000001";

/** What a response must never hold, whatever its shape. */
const SECRET_KEY = /password|hash|secret|salt|cvc|cardNumber|privateKey|private_key/i;
const SECRET_TEXT = [/\$argon2/, /4242424242424242/, /"cvc"/];

function expectNoSecrets(what: string, body: unknown, text: string): void {
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        expect(k, `${what}: ${path}.${k}`).not.toMatch(SECRET_KEY);
        walk(v, `${path}.${k}`);
      }
    }
  };
  walk(body, "");
  for (const pattern of SECRET_TEXT) expect(text, what).not.toMatch(pattern);
}

const docs = new Map<string, any>();
/** The property names a published response schema lists (an object, or a list page's items). */
async function documented(service: string, path: string, method: string, status: number, list = false) {
  if (!docs.has(service)) {
    const doc = await call("GET", `/docs/${service}/openapi.json`, { from: FROM });
    expect(doc.status).toBe(200);
    docs.set(service, doc.body);
  }
  const schema = docs.get(service).paths[path][method].responses[String(status)].content["application/json"].schema;
  return Object.keys((list ? schema.properties.data.items : schema).properties);
}

describe("API3 broken object property level authorization", () => {
  let variantId: string;

  beforeAll(async () => {
    ({ variantId } = await newVariant(FROM, { price: 1500, online: 20 }));
  }, 60_000);

  it("sign-up refuses a role, permissions, a store, an active flag or an id (400), and creates no account", async () => {
    const extras: Record<string, unknown>[] = [
      { role: "admin" },
      { role: "manager" },
      { admin: true },
      { isAdmin: true },
      { permissions: ["users:write"] },
      { storeId: STORE_1 },
      { active: false },
      { id: randomUUID() },
      { emailVerified: true },
    ];
    for (const extra of extras) {
      const email = `mass-${randomUUID().slice(0, 8)}@example.com`;
      const password = "a long enough passphrase";
      const res = await call("POST", "/api/identity/register", {
        body: { name: "Mallory", email, password, ...extra },
        from: FROM,
      });
      expectProblem(res, 400, "validation_failed");
      expect(res.body.errors?.[0]?.field, JSON.stringify(extra)).toBe(Object.keys(extra)[0]);
      expectProblem(await call("POST", "/api/identity/login", { body: { email, password }, from: FROM }), 401);
    }
    const plain = await newCustomer(FROM);
    const me = await call("GET", "/api/identity/me", { token: plain.token, from: FROM });
    expect(me.body).toMatchObject({ role: "customer", storeId: null, active: true });
  });

  it("a customer cannot give themselves a role, a store, permissions, another e-mail or id through PATCH /me", async () => {
    const customer = await newCustomer(FROM);
    const extras: Record<string, unknown>[] = [
      { role: "admin" },
      { storeId: STORE_1 },
      { permissions: ["events:admin"] },
      { active: true },
      { email: "admin@demo.comptoir.dev" },
      { id: randomUUID() },
      { name: "Mallory", role: "manager" },
    ];
    for (const extra of extras) {
      const res = await call("PATCH", "/api/identity/me", { token: customer.token, body: extra, from: FROM });
      expectProblem(res, 400, "validation_failed");
    }
    const me = await call("GET", "/api/identity/me", { token: customer.token, from: FROM });
    expect(me.body).toMatchObject({ role: "customer", storeId: null, email: customer.email, name: "Security Test" });
    // A fresh login says the same: nothing was stored.
    const login = await call("POST", "/api/identity/login", {
      body: { email: customer.email, password: customer.password },
      from: FROM,
    });
    expect(login.body.user).toMatchObject({ role: "customer", storeId: null });
    const claims = JSON.parse(Buffer.from(login.body.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ role: "customer", permissions: [], storeId: null });
  });

  it("an address cannot be filed under another user, and a cart line or a checkout cannot carry its own price, total or status", async () => {
    const customer = await newCustomer(FROM);
    const other = await newCustomer(FROM);
    expectProblem(
      await call("POST", "/api/identity/me/addresses", {
        token: customer.token,
        body: { ...ADDRESS, userId: other.userId },
        from: FROM,
      }),
      400,
      "validation_failed",
    );
    const cartId = await customerCart(FROM, customer.token, variantId, 1);
    for (const extra of [{ unitPrice: 1 }, { price: 0 }, { priceAtAdd: 1 }, { lineTotal: 1 }]) {
      expectProblem(
        await call("POST", `/api/cart/carts/${cartId}/items`, {
          token: customer.token,
          body: { variantId, quantity: 1, ...extra },
          from: FROM,
        }),
        400,
        "validation_failed",
      );
    }
    for (const extra of [
      { total: 1 },
      { subtotal: 1 },
      { shipping: 0 },
      { status: "paid" },
      { customerId: other.userId },
      { lines: [{ variantId, quantity: 1, unitPrice: 1 }] },
      { payment: { method: "card", card: CARDS.good, amount: 1 } },
    ]) {
      const res = await checkout(FROM, { cartId, token: customer.token, body: extra });
      expectProblem(res, 400, "validation_failed");
    }
    const orders = await call("GET", "/api/orders", { token: customer.token, from: FROM });
    expect(orders.body.data).toEqual([]);
    const cart = await call("GET", `/api/cart/carts/${cartId}`, { token: customer.token, from: FROM });
    expect(cart.body.items).toEqual([expect.objectContaining({ variantId, quantity: 1, unitPrice: 1500 })]);
  });

  it("accounts never show a password hash: sign-up, login, /me and the admin's user list hold only documented properties", async () => {
    const customer = await newCustomer(FROM);
    const admin = await token("admin", FROM);
    const userKeys = await documented("identity", "/api/identity/users/{id}", "get", 200);
    const answers = {
      login: await call("POST", "/api/identity/login", {
        body: { email: customer.email, password: customer.password },
        from: FROM,
      }),
      me: await call("GET", "/api/identity/me", { token: customer.token, from: FROM }),
      users: await call("GET", "/api/identity/users?limit=100", { token: admin, from: FROM }),
      user: await call("GET", `/api/identity/users/${customer.userId}`, { token: admin, from: FROM }),
    };
    for (const [what, res] of Object.entries(answers)) {
      expect(res.status, res.text).toBe(200);
      expectNoSecrets(what, res.body, res.text);
    }
    expect(Object.keys(answers.login.body).sort()).toEqual(["refreshToken", "token", "user"]);
    for (const user of [answers.login.body.user, answers.me.body, answers.user.body, ...answers.users.body.data]) {
      for (const key of Object.keys(user)) expect(userKeys, key).toContain(key);
    }
  });

  it("an API key is shown once, at its creation; lists show its prefix only", async () => {
    const admin = await token("admin", FROM);
    const created = await call("POST", "/api/identity/api-keys", {
      token: admin,
      body: { name: `sec-api3-${randomUUID().slice(0, 8)}`, tier: "partner" },
      from: FROM,
    });
    expect(created.status, created.text).toBe(201);
    const key = created.body.key as string;
    try {
      const list = await call("GET", "/api/identity/api-keys", { token: admin, from: FROM });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(key);
      expectNoSecrets("api keys", list.body, list.text);
      const keyKeys = await documented("identity", "/api/identity/api-keys", "get", 200, true);
      for (const item of list.body.data) for (const k of Object.keys(item)) expect(keyKeys, k).toContain(k);
      const mine = list.body.data.find((k: { id: string }) => k.id === created.body.id);
      expect(key.startsWith(mine.prefix)).toBe(true);
      expect(mine.prefix.length).toBeLessThan(key.length / 2);
    } finally {
      await call("DELETE", `/api/identity/api-keys/${created.body.id}`, { token: admin, from: FROM });
    }
  });

  it("an order and its payment show the card's last four digits at most, and no internal property", async () => {
    const customer = await newCustomer(FROM);
    const order = await buy(FROM, customer.token, variantId);
    const admin = await token("admin", FROM);
    const answers = {
      order: await call("GET", `/api/orders/${order.id}`, { token: customer.token, from: FROM }),
      orders: await call("GET", "/api/orders", { token: customer.token, from: FROM }),
      payment: await call("GET", `/api/payments/payments/${order.paymentId}`, { token: admin, from: FROM }),
    };
    for (const [what, res] of Object.entries(answers)) {
      expect(res.status, res.text).toBe(200);
      expectNoSecrets(what, res.body, res.text);
      expect(res.text, what).not.toContain(CARDS.good.number.slice(0, 12));
    }
    const orderKeys = await documented("orders", "/api/orders/{id}", "get", 200);
    for (const key of Object.keys(answers.order.body)) expect(orderKeys, key).toContain(key);
    for (const internal of ["reservationId", "allocation", "checkoutId", "fingerprint"]) {
      expect(answers.order.body, internal).not.toHaveProperty(internal);
    }
    const paymentKeys = await documented("payments", "/api/payments/payments/{id}", "get", 200);
    for (const key of Object.keys(answers.payment.body)) expect(paymentKeys, key).toContain(key);
    expect(answers.payment.body).toMatchObject({ last4: "4242" });
  });

  it("a guest cart's secret token is in the answer that created it only", async () => {
    const created = await call("POST", "/api/cart/carts", { from: FROM });
    expect(created.status).toBe(201);
    const secret = created.body.token as string;
    expect(secret.length).toBeGreaterThanOrEqual(20);
    const headers = { "x-cart-token": secret };
    const answers = [
      await call("GET", `/api/cart/carts/${created.body.id}`, { headers, from: FROM }),
      await call("POST", `/api/cart/carts/${created.body.id}/items`, {
        headers,
        body: { variantId, quantity: 1 },
        from: FROM,
      }),
    ];
    for (const res of answers) {
      expect(res.status, res.text).toBe(200);
      expect(res.body).not.toHaveProperty("token");
      expect(res.text).not.toContain(secret);
    }
  });
});
