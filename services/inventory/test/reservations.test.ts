import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireReservations } from "../src/domain/reservations.use-cases";
import {
  CENTRAL,
  expectProblem,
  type Inventory,
  knownVariant,
  ledgerSum,
  level,
  ONLINE,
  published,
  receive,
  startInventory,
} from "./support/harness";

let inv: Inventory;
let store: { id: string };
let refs = 0;
const ref = () => `order-${++refs}-${Date.now()}`;

beforeAll(async () => {
  inv = await startInventory("reservations");
  store = (
    await inv.admin.post("/api/inventory/locations", {
      code: "STORE-1",
      name: "Magasin 1",
      kind: "store",
      storeId: "0192f5a0-0000-7000-8000-000000000001",
    })
  ).body;
});
afterAll(async () => inv?.close());

const reserve = (body: Record<string, unknown>) => inv.admin.post("/api/inventory/reservations", body);

async function expectNoDrift() {
  const res = await inv.admin.get("/api/inventory/admin/verify");
  expect(res.body.drifted).toEqual([]);
}

describe("reserving stock", () => {
  it("reserves every item, taking them from the online location first; available drops, on hand stays", async () => {
    const a = await knownVariant(inv);
    const b = await knownVariant(inv);
    await receive(inv, a, ONLINE, 5);
    await receive(inv, a, CENTRAL, 5);
    await receive(inv, b, ONLINE, 2);
    const res = await reserve({
      reference: ref(),
      ttlSeconds: 600,
      items: [
        { variantId: a, quantity: 3 },
        { variantId: b, quantity: 2 },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: "active", strategy: "split" });
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(res.body.lines).toEqual(
      expect.arrayContaining([
        { variantId: a, locationId: ONLINE, quantity: 3 },
        { variantId: b, locationId: ONLINE, quantity: 2 },
      ]),
    );
    expect(await level(inv, a, ONLINE)).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
    await expectNoDrift();
  });

  it("splits a line over several locations when the first is short", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 2);
    await receive(inv, a, CENTRAL, 3);
    await receive(inv, a, store.id, 10);
    const res = await reserve({ reference: ref(), items: [{ variantId: a, quantity: 7 }] });
    expect(res.status).toBe(201);
    expect(res.body.lines).toEqual(
      expect.arrayContaining([
        { variantId: a, locationId: ONLINE, quantity: 2 },
        { variantId: a, locationId: CENTRAL, quantity: 3 },
        { variantId: a, locationId: store.id, quantity: 2 },
      ]),
    );
    expect(res.body.lines).toHaveLength(3);
    expect((await level(inv, a, store.id)).available).toBe(8);
  });

  it("is all-or-nothing: 409 insufficient_stock with the short lines, nothing reserved", async () => {
    const a = await knownVariant(inv);
    const b = await knownVariant(inv);
    await receive(inv, a, ONLINE, 5);
    await receive(inv, b, CENTRAL, 1);
    const res = await reserve({
      reference: ref(),
      items: [
        { variantId: a, quantity: 2 },
        { variantId: b, quantity: 3 },
      ],
    });
    expectProblem(res, 409, "insufficient_stock");
    expect(res.body.short).toEqual([{ variantId: b, requested: 3, available: 1 }]);
    expect(await level(inv, a, ONLINE)).toMatchObject({ reserved: 0, available: 5 });
    const { rows } = await inv.db.query("SELECT count(*)::int AS n FROM reservation_lines WHERE variant_id = $1", [a]);
    expect(rows[0].n).toBe(0);
  });

  it("reserves at one store only for click-and-collect", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 50);
    await receive(inv, a, store.id, 2);
    const ok = await reserve({ reference: ref(), locationId: store.id, items: [{ variantId: a, quantity: 2 }] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      strategy: "single",
      locationId: store.id,
      lines: [{ variantId: a, locationId: store.id, quantity: 2 }],
    });
    const short = await reserve({ reference: ref(), locationId: store.id, items: [{ variantId: a, quantity: 1 }] });
    expectProblem(short, 409, "insufficient_stock");
    expect(short.body.short).toEqual([{ variantId: a, requested: 1, available: 0 }]);
  });

  it("with strategy single, takes everything from the first location that has it all", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 1);
    await receive(inv, a, CENTRAL, 4);
    const res = await reserve({ reference: ref(), strategy: "single", items: [{ variantId: a, quantity: 3 }] });
    expect(res.body.lines).toEqual([{ variantId: a, locationId: CENTRAL, quantity: 3 }]);
  });

  it("gives back the same reservation for the same reference (200), and 409 if the items differ", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 10);
    const reference = ref();
    const body = { reference, items: [{ variantId: a, quantity: 4 }] };
    const first = await reserve(body);
    const again = await reserve(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => reserve({ ...body, reference: `${reference}-c` })),
    );
    expect(concurrent.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    expect((await level(inv, a, ONLINE)).reserved).toBe(8);
    expectProblem(
      await reserve({ reference, items: [{ variantId: a, quantity: 5 }] }),
      409,
      "reservation_reference_conflict",
    );
  });

  it("404 for an unknown variant or location, 400 for a bad body", async () => {
    const unknown = "0192f5a0-0000-7000-8000-0000000fffff";
    expectProblem(
      await reserve({ reference: ref(), items: [{ variantId: unknown, quantity: 1 }] }),
      404,
      "variant_not_found",
    );
    const a = await knownVariant(inv);
    expectProblem(
      await reserve({ reference: ref(), locationId: unknown, items: [{ variantId: a, quantity: 1 }] }),
      404,
      "location_not_found",
    );
    expectProblem(await reserve({ reference: ref(), items: [] }), 400, "validation_failed");
    expectProblem(
      await reserve({ reference: ref(), items: [{ variantId: a, quantity: 0 }] }),
      400,
      "validation_failed",
    );
  });
});

describe("committing and releasing", () => {
  it("commit turns reserved into reservation_commit movements; again is the same; release after is 409", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 2);
    await receive(inv, a, CENTRAL, 5);
    const r = (await reserve({ reference: ref(), items: [{ variantId: a, quantity: 4 }] })).body;
    const commit = await inv.admin.post(`/api/inventory/reservations/${r.id}/commit`);
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ id: r.id, status: "committed", settledAt: expect.any(String) });
    expect(await level(inv, a, ONLINE)).toMatchObject({ onHand: 0, reserved: 0 });
    expect(await level(inv, a, CENTRAL)).toMatchObject({ onHand: 3, reserved: 0 });
    const again = await inv.admin.post(`/api/inventory/reservations/${r.id}/commit`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(commit.body);
    expect(await level(inv, a, CENTRAL)).toMatchObject({ onHand: 3 });
    const movements = (await inv.admin.get(`/api/inventory/movements?variantId=${a}&type=reservation_commit`)).body
      .data;
    expect(movements.map((m: any) => [m.locationId, m.quantity, m.reservationId, m.reference]).sort()).toEqual(
      [
        [CENTRAL, -2, r.id, r.reference],
        [ONLINE, -2, r.id, r.reference],
      ].sort(),
    );
    const events = await published(inv, "inventory.stock.changed", a);
    expect(events.filter((e) => e.movementType === "reservation_commit")).toHaveLength(2);
    expectProblem(await inv.admin.post(`/api/inventory/reservations/${r.id}/release`), 409, "reservation_not_active");
    expect(await ledgerSum(inv, a, CENTRAL)).toBe(3);
    await expectNoDrift();
  });

  it("release frees the stock; again is the same; commit after is 409 reservation_not_active", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 6);
    const r = (await reserve({ reference: ref(), items: [{ variantId: a, quantity: 6 }] })).body;
    expect((await level(inv, a, ONLINE)).available).toBe(0);
    const release = await inv.admin.post(`/api/inventory/reservations/${r.id}/release`);
    expect(release.status).toBe(200);
    expect(release.body.status).toBe("released");
    expect(await level(inv, a, ONLINE)).toMatchObject({ onHand: 6, reserved: 0, available: 6 });
    expect((await inv.admin.post(`/api/inventory/reservations/${r.id}/release`)).body).toEqual(release.body);
    expectProblem(await inv.admin.post(`/api/inventory/reservations/${r.id}/commit`), 409, "reservation_not_active");
    expect((await inv.admin.get(`/api/inventory/reservations/${r.id}`)).body.status).toBe("released");
    expectProblem(
      await inv.admin.post("/api/inventory/reservations/0192f5a0-0000-7000-8000-0000000fffff/commit"),
      404,
      "reservation_not_found",
    );
  });
});

describe("reserving and committing at once (commit: true, a till sale)", () => {
  it("takes the stock in one call: committed, on hand drops, one reservation_commit movement and its event; the same reference again moves nothing", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, store.id, 5);
    const body = { reference: ref(), locationId: store.id, commit: true, items: [{ variantId: a, quantity: 2 }] };
    const res = await reserve(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: "committed", settledAt: expect.any(String), locationId: store.id });
    expect(res.body.lines).toEqual([{ variantId: a, locationId: store.id, quantity: 2 }]);
    expect(await level(inv, a, store.id)).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    const again = await reserve(body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await level(inv, a, store.id)).toMatchObject({ onHand: 3, reserved: 0 });
    const movements = (await inv.admin.get(`/api/inventory/movements?variantId=${a}&type=reservation_commit`)).body
      .data;
    expect(movements.map((m: any) => [m.locationId, m.quantity, m.reservationId, m.reference])).toEqual([
      [store.id, -2, res.body.id, body.reference],
    ]);
    const events = await published(inv, "inventory.stock.changed", a);
    expect(events.filter((e) => e.movementType === "reservation_commit")).toEqual([
      expect.objectContaining({ locationId: store.id, delta: -2, onHand: 3, reserved: 0, available: 3 }),
    ]);
    expect(await ledgerSum(inv, a, store.id)).toBe(3);
    await expectNoDrift();
  });

  it("never takes what an active reservation holds (click-and-collect): 409 insufficient_stock, nothing moved", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, store.id, 3);
    const held = await reserve({ reference: ref(), locationId: store.id, items: [{ variantId: a, quantity: 2 }] });
    expect(held.status).toBe(201);
    const reference = ref();
    const short = await reserve({
      reference,
      locationId: store.id,
      commit: true,
      items: [{ variantId: a, quantity: 2 }],
    });
    expectProblem(short, 409, "insufficient_stock");
    expect(short.body.short).toEqual([expect.objectContaining({ variantId: a, requested: 2, available: 1 })]);
    expect(await level(inv, a, store.id)).toMatchObject({ onHand: 3, reserved: 2, available: 1 });
    expect((await inv.admin.get(`/api/inventory/movements?variantId=${a}&type=reservation_commit`)).body.data).toEqual(
      [],
    );
    // The refused reference is free: nothing was recorded under it.
    const one = await reserve({
      reference,
      locationId: store.id,
      commit: true,
      items: [{ variantId: a, quantity: 1 }],
    });
    expect(one.status).toBe(201);
    expect(await level(inv, a, store.id)).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
    await expectNoDrift();
  });

  it("commits a reservation its reference only held so far, as a commit would", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, store.id, 4);
    const body = { reference: ref(), locationId: store.id, items: [{ variantId: a, quantity: 3 }] };
    const held = (await reserve(body)).body;
    expect(held.status).toBe("active");
    const taken = await reserve({ ...body, commit: true });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ id: held.id, status: "committed" });
    expect(await level(inv, a, store.id)).toMatchObject({ onHand: 1, reserved: 0 });
    expect(await ledgerSum(inv, a, store.id)).toBe(1);
    await expectNoDrift();
  });
});

describe("expiry", () => {
  it("releases reservations past their expiry, emits inventory.reservation.expired, leaves the others", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, ONLINE, 10);
    const soon = (await reserve({ reference: ref(), ttlSeconds: 60, items: [{ variantId: a, quantity: 3 }] })).body;
    const later = (await reserve({ reference: ref(), ttlSeconds: 3600, items: [{ variantId: a, quantity: 2 }] })).body;
    expect(await expireReservations(inv.deps)).toBe(0);
    const expired = await expireReservations(inv.deps, { asOf: new Date(Date.now() + 120_000) });
    expect(expired).toBeGreaterThanOrEqual(1);
    expect((await inv.admin.get(`/api/inventory/reservations/${soon.id}`)).body.status).toBe("expired");
    expect((await inv.admin.get(`/api/inventory/reservations/${later.id}`)).body.status).toBe("active");
    expect(await level(inv, a, ONLINE)).toMatchObject({ onHand: 10, reserved: 2 });
    const events = await published(inv, "inventory.reservation.expired", soon.id);
    expect(events).toEqual([
      { reservationId: soon.id, reference: soon.reference, lines: [{ variantId: a, locationId: ONLINE, quantity: 3 }] },
    ]);
    expectProblem(await inv.admin.post(`/api/inventory/reservations/${soon.id}/commit`), 409, "reservation_not_active");
    expect((await inv.admin.post(`/api/inventory/reservations/${soon.id}/release`)).body.status).toBe("expired");
    await expectNoDrift();
  });

  it("the timer of an instance sweeps on its own", async () => {
    const timed = await startInventory("reservations_timer", { reservationSweepMs: 100 });
    try {
      const a = await knownVariant(timed);
      await receive(timed, a, ONLINE, 4);
      const r = (
        await timed.admin.post("/api/inventory/reservations", {
          reference: "t",
          ttlSeconds: 1,
          items: [{ variantId: a, quantity: 4 }],
        })
      ).body;
      const deadline = Date.now() + 5000;
      let status = "active";
      while (status === "active" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await timed.admin.get(`/api/inventory/reservations/${r.id}`)).body.status;
      }
      expect(status).toBe("expired");
      expect(await level(timed, a, ONLINE)).toMatchObject({ reserved: 0, available: 4 });
    } finally {
      await timed.close();
    }
  });
});

describe("transfers", () => {
  it("moves stock from one location to another in one go; the same reference gives the same transfer", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, CENTRAL, 10);
    const body = {
      reference: ref(),
      fromLocationId: CENTRAL,
      toLocationId: store.id,
      items: [{ variantId: a, quantity: 4 }],
    };
    const res = await inv.admin.post("/api/inventory/transfers", body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: "completed", fromLocationId: CENTRAL, toLocationId: store.id });
    expect(res.body.movements.map((m: any) => [m.type, m.locationId, m.quantity])).toEqual([
      ["transfer_out", CENTRAL, -4],
      ["transfer_in", store.id, 4],
    ]);
    const again = await inv.admin.post("/api/inventory/transfers", body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect((await level(inv, a, CENTRAL)).onHand).toBe(6);
    expect((await level(inv, a, store.id)).onHand).toBe(4);

    const reverse = await inv.admin.post(`/api/inventory/transfers/${res.body.id}/reverse`);
    expect(reverse.status).toBe(200);
    expect(reverse.body.status).toBe("reversed");
    expect(reverse.body.movements).toHaveLength(4);
    const reverseAgain = await inv.admin.post(`/api/inventory/transfers/${res.body.id}/reverse`);
    expect(reverseAgain.body).toEqual(reverse.body);
    expect((await level(inv, a, CENTRAL)).onHand).toBe(10);
    expect((await level(inv, a, store.id)).onHand).toBe(0);
    await expectNoDrift();
  });

  it("consumes a reservation at the source (the supply saga's reserve → transfer)", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, CENTRAL, 8);
    const r = (await reserve({ reference: ref(), locationId: CENTRAL, items: [{ variantId: a, quantity: 5 }] })).body;
    const res = await inv.admin.post("/api/inventory/transfers", {
      reference: ref(),
      fromLocationId: CENTRAL,
      toLocationId: store.id,
      reservationId: r.id,
      items: [{ variantId: a, quantity: 5 }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await level(inv, a, CENTRAL)).toMatchObject({ onHand: 3, reserved: 0 });
    expect((await inv.admin.get(`/api/inventory/reservations/${r.id}`)).body.status).toBe("committed");
    await expectNoDrift();
  });

  it("409 when the source is short, nothing moved; 409 on a reservation that does not match", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, CENTRAL, 2);
    const short = await inv.admin.post("/api/inventory/transfers", {
      reference: ref(),
      fromLocationId: CENTRAL,
      toLocationId: store.id,
      items: [{ variantId: a, quantity: 3 }],
    });
    expectProblem(short, 409, "insufficient_stock");
    expect(short.body.short).toEqual([{ variantId: a, requested: 3, available: 2 }]);
    expect((await level(inv, a, CENTRAL)).onHand).toBe(2);
    const r = (await reserve({ reference: ref(), locationId: CENTRAL, items: [{ variantId: a, quantity: 1 }] })).body;
    expectProblem(
      await inv.admin.post("/api/inventory/transfers", {
        reference: ref(),
        fromLocationId: CENTRAL,
        toLocationId: store.id,
        reservationId: r.id,
        items: [{ variantId: a, quantity: 2 }],
      }),
      409,
      "transfer_reservation_mismatch",
    );
    expectProblem(
      await inv.admin.post("/api/inventory/transfers", {
        reference: ref(),
        fromLocationId: CENTRAL,
        toLocationId: CENTRAL,
        items: [{ variantId: a, quantity: 1 }],
      }),
      400,
      "transfer_same_location",
    );
  });
});
