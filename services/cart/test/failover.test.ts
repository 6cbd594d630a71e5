import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CartInstance, type CartWorld, guestCart, sleep, startCartWorld } from "./support/harness";

/**
 * Cart with two catalog instances, called with cart's own client settings (`cartServiceClient`, as
 * main.ts builds them): one instance killed, or catalog's table locked for a few seconds.
 */
let w: CartWorld;
beforeAll(async () => {
  w = await startCartWorld("failover");
});
afterAll(async () => w?.close());

/** A port nobody listens on: a killed instance (connections refused). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

/** Adds one unit of the variant to each of `carts` at once; the statuses. */
async function addToAll(carts: Awaited<ReturnType<typeof guestCart>>[], variantId: string): Promise<number[]> {
  const answers = await Promise.all(
    carts.map((c) => c.api.post(`/api/cart/carts/${c.id}/items`, { variantId, quantity: 1 })),
  );
  return answers.map((a) => a.status);
}

describe("cart with two catalog instances", () => {
  it("one of them killed: every add goes to the other one (200), many at once, without waiting for its restart", async () => {
    const product = await w.product();
    const cart: CartInstance = await w.instance({ catalogUrls: [await deadUrl(), w.catalogDoor.url] });
    const carts = await Promise.all(Array.from({ length: 12 }, () => guestCart(cart)));
    for (let round = 0; round < 3; round++) {
      expect(await addToAll(carts, product.variantId)).toEqual(Array(12).fill(200));
    }
  });

  it("catalog's table locked for 3 s: adds answer 200 again within 2 s of the lock's end", async () => {
    const product = await w.product();
    const cart = await w.instance({ catalogUrls: [w.catalogDoor.url, w.catalog.base] });
    const carts = await Promise.all(Array.from({ length: 6 }, () => guestCart(cart)));
    expect(await addToAll(carts, product.variantId)).toEqual(Array(6).fill(200));

    const lock = await w.catalog.db.connect();
    let unlockedAt = 0;
    try {
      await lock.query("BEGIN");
      await lock.query("LOCK TABLE products IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      // Shoppers keep adding while it is locked: each times out, and the circuits open.
      while (Date.now() - started < 3_000) {
        expect(await addToAll(carts, product.variantId)).toContain(503);
      }
    } finally {
      await lock.query("ROLLBACK");
      lock.release();
      unlockedAt = Date.now();
    }
    // Let the requests still queued behind the lock drain, then: answered again within 2 s.
    for (;;) {
      const statuses = await addToAll(carts.slice(0, 1), product.variantId);
      if (statuses[0] === 200) break;
      expect(Date.now() - unlockedAt, "still refused after the lock ended").toBeLessThan(2_000);
      await sleep(100);
    }
    expect(await addToAll(carts, product.variantId)).toEqual(Array(6).fill(200));
  });
});
