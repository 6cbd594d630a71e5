import { randomUUID } from "node:crypto";
import { http } from "@comptoir/testing";
import { expect } from "vitest";
import type { Api, RetailWorld, TestStore } from "./harness";

/** A store credit of `store`, issued by its manager through a return without receipt (refunded as credit). */
export async function storeCreditOf(
  world: RetailWorld,
  store: TestStore,
  registerId: string,
  price = 2000,
): Promise<{ code: string; amount: number }> {
  const product = await world.product({ price, stock: 5, locationId: store.locationId });
  const res = await store.manager.api.post(
    "/api/retail/returns",
    {
      registerId,
      lines: [{ variantId: product.variantId, quantity: 1 }],
      refundMethod: "store_credit",
      reason: "no receipt, returned as credit",
    },
    { "idempotency-key": randomUUID() },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.storeCredit as { code: string; amount: number };
}

/** A store credit's balance, read in retail's database. */
export async function creditBalance(world: RetailWorld, code: string): Promise<number> {
  const { rows } = await world.retail.db.query("SELECT balance::int AS balance FROM store_credits WHERE code = $1", [
    code,
  ]);
  return rows[0]!.balance as number;
}

/** A gate a test holds a saga step at: `wait()` blocks until `open()`. */
export function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { wait: () => opened, open: () => release() };
}

/** The API of staff member `staff` (role, store) on another retail instance at `base`. */
export async function apiAt(
  world: RetailWorld,
  base: string,
  staff: { id: string; role: "clerk" | "manager" | "admin"; storeId: string | null },
): Promise<Api> {
  const token = await world.issuer.token({ role: staff.role, storeId: staff.storeId, sub: staff.id });
  return http(base, { authorization: `Bearer ${token}` });
}
