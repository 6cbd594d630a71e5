import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import {
  API_KEY_RESOLVE_PATH,
  BACKEND_SERVICES,
  REVOCATIONS_PATH,
  type Role,
  SERVICE_TOKEN_PATH,
} from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import { call, expectProblem, platform, token } from "../support/platform";

/**
 * OWASP API5:2023 Broken Function Level Authorization — every function reserved to managers or
 * admins (users, API keys, signing keys, stock, replenishment, shipping, payments and refunds,
 * catalog writes, the mailbox, the event admin endpoints) tried by the roles below them, and the
 * services' internal endpoints tried through the gateway under several spellings.
 */
const FROM = "127.0.5.1";
const CENTRAL = "0192f5a0-0000-7000-8000-00000000c001";
const SERVICES = BACKEND_SERVICES;
const X = () => randomUUID();

interface Operation {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The roles that may call it (admins may call everything). */
  allowed: Role[];
}

const STAFF: Role[] = ["admin", "manager", "clerk"];
const MANAGERS: Role[] = ["admin", "manager"];
const ADMINS: Role[] = ["admin"];
const idempotent = () => ({ "idempotency-key": randomUUID() });

/** Bodies are valid where a service validates before it checks permissions (identity). */
const OPERATIONS: Operation[] = [
  // identity: users, API keys, signing keys
  { method: "GET", path: "/api/identity/users", allowed: ADMINS },
  { method: "GET", path: `/api/identity/users/${X()}`, allowed: ADMINS },
  {
    method: "POST",
    path: "/api/identity/users",
    body: { name: "Eve", email: `eve-${X()}@example.com`, password: "a long enough passphrase", role: "admin" },
    allowed: ADMINS,
  },
  { method: "PATCH", path: `/api/identity/users/${X()}`, body: { role: "admin" }, allowed: ADMINS },
  { method: "PATCH", path: `/api/identity/users/${X()}`, body: { active: false }, allowed: ADMINS },
  { method: "GET", path: "/api/identity/api-keys", allowed: ADMINS },
  { method: "POST", path: "/api/identity/api-keys", body: { name: "stolen", tier: "admin" }, allowed: ADMINS },
  { method: "DELETE", path: `/api/identity/api-keys/${X()}`, allowed: ADMINS },
  { method: "POST", path: "/api/identity/admin/signing-keys/rotate", allowed: ADMINS },
  // inventory: stock adjustments, thresholds, locations, reservations, transfers, the ledger check
  {
    method: "POST",
    path: "/api/inventory/stock/adjust",
    body: { variantId: X(), locationId: CENTRAL, changeQuantity: 1000, type: "receipt", reason: "free stock" },
    allowed: MANAGERS,
  },
  {
    method: "PUT",
    path: "/api/inventory/thresholds",
    body: { variantId: X(), locationId: CENTRAL, threshold: 1 },
    allowed: MANAGERS,
  },
  {
    method: "POST",
    path: "/api/inventory/locations",
    body: { code: "EVIL", name: "Evil", kind: "store" },
    allowed: MANAGERS,
  },
  {
    method: "POST",
    path: "/api/inventory/reservations",
    body: { reference: "evil", items: [{ variantId: X(), quantity: 1 }], ttlSeconds: 900 },
    allowed: MANAGERS,
  },
  { method: "POST", path: `/api/inventory/reservations/${X()}/commit`, allowed: MANAGERS },
  { method: "POST", path: `/api/inventory/reservations/${X()}/release`, allowed: MANAGERS },
  { method: "POST", path: "/api/inventory/transfers", body: {}, allowed: MANAGERS },
  { method: "POST", path: `/api/inventory/transfers/${X()}/reverse`, allowed: MANAGERS },
  { method: "GET", path: "/api/inventory/movements", allowed: STAFF },
  { method: "GET", path: "/api/inventory/alerts", allowed: STAFF },
  { method: "GET", path: "/api/inventory/admin/verify", allowed: ADMINS },
  // supply: approving is a manager's
  { method: "GET", path: "/api/supply/requests", allowed: STAFF },
  { method: "POST", path: `/api/supply/requests/${X()}/approve`, allowed: MANAGERS },
  { method: "POST", path: `/api/supply/requests/${X()}/reject`, body: { reason: "no" }, allowed: MANAGERS },
  // orders: shipping and delivering
  { method: "POST", path: `/api/orders/${X()}/ship`, body: { carrier: "Evil" }, allowed: MANAGERS },
  { method: "POST", path: `/api/orders/${X()}/deliver`, allowed: MANAGERS },
  // payments: reading is a manager's, moving money an admin's (and the orders service's)
  { method: "GET", path: "/api/payments/payments", allowed: MANAGERS },
  { method: "GET", path: `/api/payments/payments/${X()}`, allowed: MANAGERS },
  { method: "POST", path: "/api/payments/payments", body: {}, headers: idempotent(), allowed: ADMINS },
  { method: "POST", path: `/api/payments/payments/${X()}/capture`, allowed: ADMINS },
  { method: "POST", path: `/api/payments/payments/${X()}/void`, allowed: ADMINS },
  {
    method: "POST",
    path: `/api/payments/payments/${X()}/refunds`,
    body: { amount: 100, reason: "mine" },
    headers: idempotent(),
    allowed: ADMINS,
  },
  // catalog writes
  { method: "POST", path: "/api/catalog/categories", body: { name: "Evil" }, allowed: ADMINS },
  { method: "PATCH", path: `/api/catalog/categories/${X()}`, body: { name: "Evil" }, allowed: ADMINS },
  { method: "DELETE", path: `/api/catalog/categories/${X()}`, allowed: ADMINS },
  { method: "POST", path: "/api/catalog/products", body: {}, allowed: ADMINS },
  { method: "PATCH", path: `/api/catalog/products/${X()}`, body: { name: "Evil" }, allowed: ADMINS },
  { method: "POST", path: `/api/catalog/products/${X()}/archive`, allowed: ADMINS },
  { method: "POST", path: `/api/catalog/products/${X()}/variants`, body: {}, allowed: ADMINS },
  { method: "PATCH", path: `/api/catalog/variants/${X()}`, body: {}, allowed: ADMINS },
  { method: "PUT", path: `/api/catalog/variants/${X()}/price`, body: { price: 1 }, allowed: ADMINS },
  { method: "GET", path: `/api/catalog/variants/${X()}/price-history`, allowed: ADMINS },
  { method: "POST", path: `/api/catalog/products/${X()}/images`, body: {}, allowed: ADMINS },
  { method: "DELETE", path: `/api/catalog/products/${X()}/images/${X()}`, allowed: ADMINS },
  // cart: taking an order's items out of a cart is the orders service's
  { method: "POST", path: `/api/cart/carts/${X()}/ordered`, body: { orderId: "evil", items: [] }, allowed: ADMINS },
  // notifications: the mailbox
  { method: "GET", path: "/api/notifications/messages", allowed: ADMINS },
  { method: "GET", path: `/api/notifications/messages/${X()}`, allowed: ADMINS },
  { method: "POST", path: `/api/notifications/messages/${X()}/retry`, allowed: ADMINS },
  // every service's event admin endpoints
  ...SERVICES.flatMap((service): Operation[] => [
    { method: "GET", path: `/api/${service}/admin/events/status`, allowed: ADMINS },
    { method: "GET", path: `/api/${service}/admin/events/dead-letters`, allowed: ADMINS },
    { method: "POST", path: `/api/${service}/admin/events/dead-letters/${X()}/replay`, allowed: ADMINS },
    { method: "POST", path: `/api/${service}/admin/events/dead-letters/replay`, body: {}, allowed: ADMINS },
    {
      method: "POST",
      path: `/api/${service}/admin/events/replay`,
      body: { group: service, fromStart: true },
      allowed: ADMINS,
    },
  ]),
];

/** One request as raw bytes, so that the path reaches the gateway exactly as spelled. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body = "") {
  const { hostname, port } = new URL(platform().base);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    "connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(body ? ["content-type: application/json", `content-length: ${Buffer.byteLength(body)}`] : []),
  ];
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: "127.0.5.2" }, () => {
      socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
  });
}

describe("API5 broken function level authorization", () => {
  it("refuses every manager or admin function to the roles below (403), and to anonymous callers (401)", async () => {
    const tokens = {
      customer: await token("customer", FROM),
      clerk: await token("clerk", FROM),
      manager: await token("manager", FROM),
    };
    const refused: string[] = [];
    await Promise.all(
      OPERATIONS.map(async (op) => {
        const send = (bearer?: string) =>
          call(op.method, op.path, { token: bearer, body: op.body, headers: op.headers, from: FROM });
        const anonymous = await send();
        expectProblem(anonymous, 401);
        for (const [role, bearer] of Object.entries(tokens) as [Role, string][]) {
          if (op.allowed.includes(role)) continue;
          const res = await send(bearer);
          expect(res.status, `${role} ${op.method} ${op.path}: ${res.text}`).toBe(403);
          expectProblem(res, 403);
          refused.push(`${role} ${op.method} ${op.path}`);
        }
      }),
    );
    expect(refused.length).toBeGreaterThan(150);
  });

  it("lets the roles that may call a function do so (the refusals above are not for everyone)", async () => {
    const admin = await token("admin", FROM);
    const manager = await token("manager", FROM);
    const clerk = await token("clerk", FROM);
    const allowed = [
      await call("GET", "/api/identity/users?limit=1", { token: admin, from: FROM }),
      await call("GET", "/api/catalog/admin/events/status", { token: admin, from: FROM }),
      await call("GET", "/api/payments/payments?limit=1", { token: manager, from: FROM }),
      await call("GET", "/api/inventory/alerts?limit=1", { token: manager, from: FROM }),
      await call("GET", "/api/supply/requests?limit=1", { token: clerk, from: FROM }),
    ];
    for (const res of allowed) expect(res.status, res.text).toBe(200);
  });

  it("nobody changes their own role or deactivates themselves, not even an admin (403)", async () => {
    const manager = await token("manager", FROM);
    const managerId = (await call("GET", "/api/identity/me", { token: manager, from: FROM })).body.id;
    expectProblem(
      await call("PATCH", `/api/identity/users/${managerId}`, { token: manager, body: { role: "admin" }, from: FROM }),
      403,
    );
    // A second admin of our own (the demo admin stays as it is for the other files).
    const email = `admin-${randomUUID().slice(0, 8)}@example.com`;
    const password = "a long enough passphrase";
    const created = await call("POST", "/api/identity/users", {
      token: await token("admin", FROM),
      body: { name: "Second Admin", email, password, role: "admin" },
      from: FROM,
    });
    expect(created.status, created.text).toBe(201);
    const login = await call("POST", "/api/identity/login", { body: { email, password }, from: FROM });
    expect(login.status, login.text).toBe(200);
    for (const body of [{ role: "customer" }, { role: "manager" }, { active: false }]) {
      const res = await call("PATCH", `/api/identity/users/${created.body.id}`, {
        token: login.body.token,
        body,
        from: FROM,
      });
      expect(res.status, `${JSON.stringify(body)}: ${res.text}`).toBe(403);
      expectProblem(res, 403);
    }
    const still = await call("GET", "/api/identity/me", { token: login.body.token, from: FROM });
    expect(still.body).toMatchObject({ role: "admin", active: true });
    expect((await call("GET", "/api/identity/me", { token: manager, from: FROM })).body.role).toBe("manager");
  });

  it("never routes a service's internal endpoints from outside, however the path is spelled (404 or 400)", async () => {
    const admin = await token("admin", FROM);
    const spellings = (path: string) => [
      path,
      path.replace("/identity/", "/%69dentity/"),
      path.replace("/internal/", "/%69nternal/"),
      path.replace("/api/identity/", "/API/IDENTITY/"),
      path.replace("/internal/", "//internal/"),
      path.replace("/internal/", "/./internal/"),
      path.replace("/internal/", "/x/../internal/"),
      path.replace("/internal/", "/%2e/internal/"),
      path.replace("/internal/", "/internal;x=1/"),
      path.replace("/internal/", "/internal./"),
      path.replace("/internal/", "/internal%2f"),
      path.replace("/internal/", "/internal%5c"),
      path.replace("/internal/", "/\uff49nternal/"),
      `${path}?x=/../`,
    ];
    const body = JSON.stringify({ service: "orders", credential: "0".repeat(64), key: "ck_admin_x" });
    for (const internal of [SERVICE_TOKEN_PATH, API_KEY_RESOLVE_PATH, REVOCATIONS_PATH]) {
      for (const path of spellings(internal)) {
        for (const [method, payload] of [
          ["GET", ""],
          ["POST", body],
        ] as const) {
          for (const headers of [{}, { authorization: `Bearer ${admin}` }] as Record<string, string>[]) {
            const res = await raw(method, path, headers, payload);
            expect([400, 404], `${method} ${path}: ${res.text.slice(0, 300)}`).toContain(res.status);
            // A target Node's HTTP parser itself rejects (raw non-ASCII) gets Fastify's plain 400.
            if (res.status === 404) expect(res.text).toContain("application/problem+json");
            expect(res.text).not.toMatch(/"token"\s*:|"expiresIn"|"revocations"|"tier"\s*:/);
          }
        }
      }
    }
  });
});
