import { newId } from "@comptoir/platform";
import type { TestApi } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CENTRAL,
  knownVariant,
  level,
  published,
  receive,
  STORE_1_ID,
  type Supply,
  type SupplyInstance,
  startSupply,
} from "./support/harness";

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  if (code) expect(res.body.code).toBe(code);
}

/** One manager and one clerk of store 1, each with their tokens at both instances (a key is its user's). */
interface Users {
  manager: TestApi;
  clerk: TestApi;
}

let supply: Supply;
let s: Users;
let other: Users;
let shirt: string;
let keys = 0;
/** A key of its own for each use (the database is shared by the tests of this file). */
const newKey = (name: string) => ({ "idempotency-key": `${name}-${process.pid}-${++keys}-${Date.now()}` });

beforeAll(async () => {
  supply = await startSupply("idempotency");
  const [manager, clerk] = [newId(), newId()];
  const users = async (instance: SupplyInstance): Promise<Users> => ({
    manager: await instance.as({ role: "manager", sub: manager }),
    clerk: await instance.as({ role: "clerk", sub: clerk, storeId: STORE_1_ID }),
  });
  s = await users(await supply.instance("supply-1"));
  other = await users(await supply.instance("supply-2"));
  shirt = await knownVariant(supply, "T-shirt");
  await receive(supply, shirt, CENTRAL, 100);
});
afterAll(() => supply?.close());

const requestsAt = async (location: string) => {
  const res = await s.manager.get(`/api/supply/requests?locationId=${location}&limit=200`);
  expect(res.status).toBe(200);
  return res.body.pagination.total as number;
};

const sagasOf = async (id: string) =>
  (await supply.db.query("SELECT id FROM sagas WHERE input->>'requestId' = $1", [id])).rows.length;

/** The stock movements a request's transfer wrote at inventory. */
const movementsOf = async (id: string) => {
  const res = await supply.inventory.admin.get(`/api/inventory/movements?variantId=${shirt}&limit=200`);
  expect(res.status).toBe(200);
  return (res.body.data as { reference: string; type: string; quantity: number }[])
    .filter((m) => m.reference === `supply-${id}`)
    .map((m) => `${m.type} ${m.quantity}`)
    .sort();
};

describe("asking for stock with an Idempotency-Key", () => {
  it("the same request twice (even at another instance) makes one request: the first answer replayed", async () => {
    const before = await requestsAt(supply.store1);
    const key = newKey("ask");
    const body = { locationId: supply.store1, items: [{ variantId: shirt, quantity: 3 }], note: "Monday" };
    const first = await s.clerk.post("/api/supply/requests", body, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await s.clerk.post("/api/supply/requests", body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    // The gateway sends it again to another instance: the same answer there too.
    const elsewhere = await other.clerk.post("/api/supply/requests", body, key);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.headers.get("idempotent-replayed")).toBe("true");
    expect(elsewhere.body.id).toBe(first.body.id);
    expect(await requestsAt(supply.store1)).toBe(before + 1);
    const created = (await published(supply, "supply.request.created")).filter((e) => e.requestId === first.body.id);
    expect(created).toHaveLength(1);
  });

  it("the same key with another body is a 422 idempotency_key_reused; another user's same key is theirs", async () => {
    const key = newKey("reused");
    const body = { locationId: supply.store1, items: [{ variantId: shirt, quantity: 2 }] };
    expect((await s.clerk.post("/api/supply/requests", body, key)).status).toBe(201);
    const before = await requestsAt(supply.store1);
    const changed = { ...body, items: [{ variantId: shirt, quantity: 4 }] };
    expectProblem(await s.clerk.post("/api/supply/requests", changed, key), 422, "idempotency_key_reused");
    expect(await requestsAt(supply.store1)).toBe(before);
    const mine = await s.manager.post("/api/supply/requests", body, key);
    expect(mine.status).toBe(201);
    expect(mine.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a key that is not 1-200 printable characters without spaces is a 400, and nothing is made", async () => {
    const before = await requestsAt(supply.store1);
    const body = { locationId: supply.store1, items: [{ variantId: shirt, quantity: 1 }] };
    for (const key of ["has space", "x".repeat(201)]) {
      const res = await s.clerk.post("/api/supply/requests", body, { "idempotency-key": key });
      // The route's header schema refuses it before the handler (the platform's validation_failed).
      expectProblem(res, 400, "validation_failed");
      expect(res.body.errors).toEqual([expect.objectContaining({ in: "headers", field: "idempotency-key" })]);
    }
    expect(await requestsAt(supply.store1)).toBe(before);
  });

  it("without a key, each request is a new one, as before", async () => {
    const before = await requestsAt(supply.store1);
    const body = { locationId: supply.store1, items: [{ variantId: shirt, quantity: 1 }] };
    const answers = [
      await s.clerk.post("/api/supply/requests", body),
      await s.clerk.post("/api/supply/requests", body),
    ];
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers.map((a) => a.headers.get("idempotent-replayed"))).toEqual([null, null]);
    expect(answers[0]!.body.id).not.toBe(answers[1]!.body.id);
    expect(await requestsAt(supply.store1)).toBe(before + 2);
  });

  it("a refusal leaves the key free: the corrected request then goes through once", async () => {
    const key = newKey("refused");
    expectProblem(
      await s.clerk.post(
        "/api/supply/requests",
        { locationId: supply.store2, items: [{ variantId: shirt, quantity: 1 }] },
        key,
      ),
      403,
      "location_forbidden",
    );
    const fixed = { locationId: supply.store1, items: [{ variantId: shirt, quantity: 1 }] };
    const first = await s.clerk.post("/api/supply/requests", fixed, key);
    expect(first.status).toBe(201);
    const again = await s.clerk.post("/api/supply/requests", fixed, key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
  });
});

describe("deciding with an Idempotency-Key", () => {
  const ask = async (quantity: number) => {
    const res = await s.clerk.post("/api/supply/requests", {
      locationId: supply.store1,
      items: [{ variantId: shirt, quantity }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };

  it("approving twice with one key: one approval, one transfer, the same 200 answer", async () => {
    const central = await level(supply, shirt, CENTRAL);
    const id = await ask(4);
    const key = newKey("approve");
    const first = await s.manager.post(`/api/supply/requests/${id}/approve`, undefined, key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ id, status: "completed" });
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    for (const instance of [s, other]) {
      const again = await instance.manager.post(`/api/supply/requests/${id}/approve`, undefined, key);
      expect(again.status).toBe(200);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual(first.body);
    }
    expect((await published(supply, "supply.request.approved")).filter((e) => e.requestId === id)).toHaveLength(1);
    expect((await published(supply, "supply.request.completed")).filter((e) => e.requestId === id)).toHaveLength(1);
    expect(await sagasOf(id)).toBe(1);
    expect(await movementsOf(id)).toEqual(["transfer_in 4", "transfer_out -4"]);
    expect((await level(supply, shirt, CENTRAL)).onHand).toBe(central.onHand - 4);
    // Without the key (or with another), approving again is a decision of its own: refused.
    expectProblem(await s.manager.post(`/api/supply/requests/${id}/approve`), 409, "request_already_decided");
    expectProblem(
      await s.manager.post(`/api/supply/requests/${id}/approve`, undefined, newKey("late")),
      409,
      "request_already_decided",
    );
  });

  it("ten approvals at once with one key, at two instances: one approval and one transfer", async () => {
    const central = await level(supply, shirt, CENTRAL);
    const id = await ask(2);
    const key = newKey("burst");
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? other : s).manager.post(`/api/supply/requests/${id}/approve`, undefined, key),
      ),
    );
    // Each hears the approval: its outcome (200) or, while the first call's transfer still runs, 202 approved.
    for (const answer of answers) {
      expect([200, 202], JSON.stringify(answer.body)).toContain(answer.status);
      expect(answer.body.id).toBe(id);
    }
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    expect(answers.find((a) => a.headers.get("idempotent-replayed") === null)!.status).toBe(200);
    expect((await published(supply, "supply.request.approved")).filter((e) => e.requestId === id)).toHaveLength(1);
    expect(await sagasOf(id)).toBe(1);
    expect(await movementsOf(id)).toEqual(["transfer_in 2", "transfer_out -2"]);
    expect((await level(supply, shirt, CENTRAL)).onHand).toBe(central.onHand - 2);
    // Once the transfer has ended, the key answers it.
    const later = await s.manager.post(`/api/supply/requests/${id}/approve`, undefined, key);
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ status: "completed" });
  });

  it("a refused approval leaves the key free; rejecting twice with one key rejects once", async () => {
    const id = await ask(1);
    const approveKey = newKey("approve-after-reject");
    const rejectKey = newKey("reject");
    const first = await s.manager.post(`/api/supply/requests/${id}/reject`, { reason: "Not this week" }, rejectKey);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ id, status: "rejected", reason: "Not this week", history: [] });
    const again = await other.manager.post(`/api/supply/requests/${id}/reject`, { reason: "Not this week" }, rejectKey);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expectProblem(
      await s.manager.post(`/api/supply/requests/${id}/reject`, { reason: "Another reason" }, rejectKey),
      422,
      "idempotency_key_reused",
    );
    expect((await published(supply, "supply.request.rejected")).filter((e) => e.requestId === id)).toHaveLength(1);

    expectProblem(
      await s.manager.post(`/api/supply/requests/${id}/approve`, undefined, approveKey),
      409,
      "request_already_decided",
    );
    const { rows } = await supply.db.query("SELECT 1 FROM idempotency_keys WHERE key = $1", [
      approveKey["idempotency-key"],
    ]);
    expect(rows).toHaveLength(0);
    expect(await sagasOf(id)).toBe(0);
  });
});
