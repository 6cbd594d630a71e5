import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CENTRAL,
  knownVariant,
  ledgerSum,
  level,
  published,
  receive,
  reservationOf,
  type Supply,
  type SupplyInstance,
  startSupply,
} from "./support/harness";

let supply: Supply;
let first: SupplyInstance;
let variant: string;

beforeAll(async () => {
  supply = await startSupply("saga");
  first = await supply.instance("supply-1");
  variant = await knownVariant(supply, "Lamp");
  await receive(supply, variant, CENTRAL, 50);
});
afterAll(() => supply?.close());

async function ask(quantity: number): Promise<string> {
  const res = await first.manager.post("/api/supply/requests", {
    locationId: supply.store1,
    items: [{ variantId: variant, quantity }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function stock() {
  return {
    central: await level(supply, variant, CENTRAL),
    store: await level(supply, variant, supply.store1),
  };
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

const requestOf = async (id: string) => (await first.manager.get(`/api/supply/requests/${id}`)).body;

/** Never settles: the instance "dies" here (its lease runs out; nothing of it continues until released). */
function freezer() {
  let release!: () => void;
  const frozen = new Promise<void>((resolve) => (release = resolve));
  return { frozen, release };
}

describe("the transfer saga survives crashes", () => {
  it("an instance that dies after reserving is taken over once its lease expires: completed once", async () => {
    const before = await stock();
    const id = await ask(4);
    const ice = freezer();
    const doomed = await supply.instance("supply-doomed", {
      afterSagaStep: async (s) => {
        if (s.id === id && s.step === "reserve" && s.phase === "saved") await ice.frozen;
      },
    });
    const pending = doomed.manager.post(`/api/supply/requests/${id}/approve`).catch(() => undefined);
    await until(requestOf.bind(null, id), (r) => r.history.length === 1, "the reservation");
    expect((await stock()).central.reserved).toBe(before.central.reserved + 4);

    // Another instance's worker takes it over once the 2 s lease has passed.
    const rescuer = await supply.instance("supply-rescuer", { sagaWorkerMs: 100 });
    const done = await until(requestOf.bind(null, id), (r) => r.status === "completed", "completion");
    expect(done.history.map((h: any) => `${h.action} ${h.step} ${h.outcome}`)).toEqual([
      "run reserve done",
      "run transfer done",
      "run saga done",
    ]);
    // The dead instance wakes up: it must not move anything twice.
    ice.release();
    await pending;
    await sleep(300);
    const after = await stock();
    expect(after.central).toMatchObject({ onHand: before.central.onHand - 4, reserved: before.central.reserved });
    expect(after.store.onHand).toBe(before.store.onHand + 4);
    expect(await ledgerSum(supply, variant, supply.store1)).toBe(after.store.onHand);
    expect((await published(supply, "supply.request.completed")).filter((e) => e.requestId === id)).toHaveLength(1);
    await Promise.all([rescuer.close(), doomed.close()]);
  });

  it("a restart under the same instance name resumes its sagas at once, without waiting for the lease", async () => {
    const before = await stock();
    const id = await ask(2);
    const ice = freezer();
    const doomed = await supply.instance("supply-7", {
      saga: { leaseMs: 60_000, maxAttempts: 3, retryBaseMs: 50, retryMaxMs: 200 },
      afterSagaStep: async (s) => {
        if (s.id === id && s.step === "reserve" && s.phase === "saved") await ice.frozen;
      },
    });
    void doomed.manager.post(`/api/supply/requests/${id}/approve`).catch(() => undefined);
    await until(requestOf.bind(null, id), (r) => r.history.length === 1, "the reservation");
    const started = Date.now();
    const restarted = await supply.instance("supply-7", { sagaWorkerMs: 100 });
    await until(requestOf.bind(null, id), (r) => r.status === "completed", "completion");
    expect(Date.now() - started).toBeLessThan(20_000); // the lease is 60 s
    ice.release();
    expect((await stock()).store.onHand).toBe(before.store.onHand + 2);
    await Promise.all([restarted.close(), doomed.close()]);
  });

  it("a step refused after another ran is compensated: failed, stock exactly as before, even across a crash", async () => {
    const before = await stock();
    const id = await ask(3);
    const ice = freezer();
    const doomed = await supply.instance("supply-doomed-2", {
      afterSagaStep: async (s) => {
        if (s.id !== id || s.phase !== "saved") return;
        // Before the transfer, the reservation disappears (as if it had expired): the transfer is refused.
        if (s.step === "reserve" && s.action === "run") {
          const reservation = await reservationOf(supply, id);
          const released = await supply.inventory.admin.post(`/api/inventory/reservations/${reservation.id}/release`);
          expect(released.status).toBe(200);
        }
        // Then it dies right after compensating the reservation, before closing the saga.
        if (s.step === "reserve" && s.action === "compensate") await ice.frozen;
      },
    });
    void doomed.manager.post(`/api/supply/requests/${id}/approve`).catch(() => undefined);
    await until(requestOf.bind(null, id), (r) => r.history.some((h: any) => h.action === "compensate"), "compensation");
    expect((await requestOf(id)).status).toBe("approved");
    const rescuer = await supply.instance("supply-rescuer-2", { sagaWorkerMs: 100 });
    const failed = await until(requestOf.bind(null, id), (r) => r.status === "failed", "the failure");
    expect(failed.reason).toMatch(/^transfer: .*refused by inventory/);
    expect(failed.history.map((h: any) => `${h.action} ${h.step} ${h.outcome}`)).toEqual([
      "run reserve done",
      "run transfer failed",
      "compensate reserve done",
      "compensate saga done",
    ]);
    ice.release();
    expect(await stock()).toEqual(before);
    await Promise.all([rescuer.close(), doomed.close()]);
  });
});

describe("a crash injected at each point of the saga", () => {
  const points = [
    { step: "reserve", phase: "called" },
    { step: "reserve", phase: "saved" },
    { step: "transfer", phase: "called" },
    { step: "transfer", phase: "saved" },
  ] as const;

  it.each(points)(
    "dying after $step was $phase: another instance completes it, stock moved exactly once",
    async (point) => {
      const before = await stock();
      const id = await ask(1);
      const ice = freezer();
      const doomed = await supply.instance(`supply-${point.step}-${point.phase}`, {
        afterSagaStep: async (s) => {
          if (s.id === id && s.step === point.step && s.phase === point.phase && s.action === "run") await ice.frozen;
        },
      });
      const pending = doomed.manager.post(`/api/supply/requests/${id}/approve`).catch(() => undefined);
      await until(
        () => supply.db.query("SELECT 1 FROM sagas WHERE id = $1", [id]).then((r) => r.rowCount),
        (n) => n === 1,
        "the saga",
      );
      await sleep(200);
      const rescuer = await supply.instance(`rescuer-${point.step}-${point.phase}`, { sagaWorkerMs: 100 });
      const done = await until(requestOf.bind(null, id), (r) => r.status === "completed", "completion");
      expect(done.history.filter((h: any) => h.outcome === "done").map((h: any) => h.step)).toEqual([
        "reserve",
        "transfer",
        "saga",
      ]);
      ice.release();
      await pending;
      const after = await stock();
      expect(after.central).toMatchObject({ onHand: before.central.onHand - 1, reserved: before.central.reserved });
      expect(after.store.onHand).toBe(before.store.onHand + 1);
      expect(await ledgerSum(supply, variant, CENTRAL)).toBe(after.central.onHand);
      await Promise.all([rescuer.close(), doomed.close()]);
    },
  );
});

describe("the transfer saga when inventory does not answer", () => {
  it("inventory down at approval: 202 approved, retried, completed once it is back", async () => {
    const before = await stock();
    const id = await ask(5);
    const worker = await supply.instance("supply-patient", {
      sagaWorkerMs: 100,
      saga: { leaseMs: 2000, maxAttempts: 100, retryBaseMs: 50, retryMaxMs: 200 },
    });
    supply.door.mode = "down";
    try {
      const res = await worker.manager.post(`/api/supply/requests/${id}/approve`);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.status).toBe("approved");
      expect(res.body.history.at(-1)).toMatchObject({ step: "reserve", outcome: "retry" });
      // Meanwhile /metrics shows it, and how long it has been waiting.
      const metrics = (await worker.manager.get("/metrics")).body as string;
      expect(metrics).toMatch(/^comptoir_sagas_unfinished\{kind="replenishment",status="running"[^}]*\} 1$/m);
      expect(metrics).toMatch(/^comptoir_sagas_oldest_unfinished_seconds\{kind="replenishment",status="running"/m);
      await sleep(500);
    } finally {
      supply.door.mode = "up";
    }
    await until(requestOf.bind(null, id), (r) => r.status === "completed", "completion");
    expect((await stock()).store.onHand).toBe(before.store.onHand + 5);
    // Finished: no saga left unfinished in /metrics.
    const after = (await worker.manager.get("/metrics")).body as string;
    expect(after).not.toMatch(/^comptoir_sagas_unfinished\{/m);
    await worker.close();
  });

  it("answers lost on the way back: after the attempts, the step that did happen is undone; failed, stock as before", async () => {
    const before = await stock();
    const id = await ask(6);
    const worker = await supply.instance("supply-deaf", { sagaWorkerMs: 100 });
    // Inventory reserves, but supply never hears it (3 attempts, all lost).
    supply.door.mode = "blackhole";
    let res;
    try {
      res = await worker.manager.post(`/api/supply/requests/${id}/approve`);
      await until(
        requestOf.bind(null, id),
        (r) => r.history.filter((h: any) => h.outcome === "retry").length >= 2,
        "retries",
      );
    } finally {
      supply.door.mode = "up";
    }
    expect(res.status).toBe(202);
    const failed = await until(requestOf.bind(null, id), (r) => r.status === "failed", "the failure");
    expect(failed.reason).toMatch(/^reserve: no answer after 3 attempts/);
    const steps = failed.history.filter((h: any) => h.outcome !== "retry");
    expect(steps.map((h: any) => `${h.action} ${h.step} ${h.outcome}`)).toEqual([
      "run reserve failed",
      "compensate reserve done",
      "compensate saga done",
    ]);
    expect(await stock()).toEqual(before);
    expect((await reservationOf(supply, id)).status).toBe("released");
    await worker.close();
  });
});
