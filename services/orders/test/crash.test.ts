import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkout,
  checkoutState,
  expectTakenOver,
  guestWith,
  orderEvents,
  PAID_ORDER_EVENTS,
  STARTED_ONLY_EVENTS,
  type Shop,
  sleep,
  startShop,
  until,
} from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("crash");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

const STEPS = ["reserve", "authorize", "place", "capture", "commit", "empty-cart"] as const;
const POINTS = [
  // Recorded (and its transaction committed), not yet run.
  { step: "started", phase: "saved" } as const,
  ...STEPS.flatMap((step) => (["called", "saved"] as const).map((phase) => ({ step, phase }))),
];

const stateOf = (checkoutId: string) => checkoutState(shop, checkoutId);

describe("a crash (the instance stops dead) at each point of the checkout saga", () => {
  it.each(POINTS)(
    "after $step is $phase: another instance completes it or compensates it, with every effect exactly once",
    async ({ step, phase }) => {
      const product = await shop.world.product({ price: 1200, stock: 5 });
      const guest = await guestWith(shop, product.variantId, 1);
      let frozenSaga: string | undefined;
      let thaw!: () => void;
      const ice = new Promise<void>((resolve) => (thaw = resolve));
      const doomed = await shop.instance(`orders-doomed-${step}-${phase}`, {
        afterSagaStep: async (s) => {
          if (s.action === "run" && s.step === step && s.phase === phase && !frozenSaga) {
            frozenSaga = s.id;
            await ice;
          }
        },
      });
      const pending = checkout({ id: guest.id, orders: doomed.guest(guest.token) });
      await until(async () => frozenSaga, Boolean, `the checkout to reach ${step} ${phase}`);

      // Another instance's worker takes it over once the dead one's lease (1 s) has expired.
      const rescuer = await shop.instance(`orders-rescuer-${step}-${phase}`, { sagaWorkerMs: 100 });
      const end = await expectTakenOver(shop, frozenSaga!, step, product.variantId);

      // The dead instance wakes up: it must change nothing (its lease is gone), and its caller gets the outcome.
      thaw();
      const answer = await pending;
      expect(answer.status).toBe(end.checkout === "completed" ? 201 : 409);
      await sleep(200);
      expect(await stateOf(frozenSaga!)).toEqual(end);
      const events = await orderEvents(shop, frozenSaga!);
      if (end.order === "paid") {
        expect(events).toEqual(PAID_ORDER_EVENTS);
      } else {
        // It started (in the transaction that recorded it), made no order.
        expect(events).toEqual(STARTED_ONLY_EVENTS);
      }
      await Promise.all([doomed.close(), rescuer.close()]);
    },
    30_000,
  );
});
