// Issue 6's crash injection with a real crash: the orders instance running the checkout is a separate
// Node process (fixtures/orders-process.ts), killed with SIGKILL between two steps of the saga. Its
// connections and its memory — the card — are gone; another orders instance takes the saga over once
// the lease (1 s) has expired and completes or compensates it, every effect exactly once.
// crash.test.ts covers the same points by freezing an in-process instance instead, and also checks that
// the frozen one, once woken, changes nothing.
import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { bundleProcessScript, http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkout,
  expectTakenOver,
  guestWith,
  orderEvents,
  PAID_ORDER_EVENTS,
  STARTED_ONLY_EVENTS,
  type Shop,
  startShop,
} from "./support/harness";

let shop: Shop;
let script: string;
/** What every orders process gets: the databases, the services it calls and its tokens for them. */
let environment: Record<string, string>;
beforeAll(async () => {
  [shop, script] = await Promise.all([
    startShop("kill"),
    bundleProcessScript(join(import.meta.dirname, "fixtures", "orders-process.ts")),
  ]);
  // Orders' service tokens are signed here: the process has no key. Cart and inventory trust one issuer.
  const serviceToken = await shop.world.inventory.issuer.token({ service: "orders" });
  environment = {
    ORDERS_DATABASE_URL: shop.testbed.database.url,
    EVENT_LOG_URL: shop.testbed.eventLog.url,
    CART_URL: shop.world.cart.base,
    CATALOG_URL: shop.world.catalog.base,
    INVENTORY_URL: shop.world.inventory.base,
    PAYMENTS_URL: shop.payments.base,
    CART_TOKEN: serviceToken,
    INVENTORY_TOKEN: serviceToken,
    PAYMENTS_TOKEN: await shop.payments.issuer.token({ service: "orders" }),
  };
}, 60_000);

const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await shop?.close();
  if (script) await rm(dirname(script), { recursive: true, force: true });
});

interface OrdersProcess {
  child: ChildProcess;
  /** The first line printed that starts with `prefix`, without it. */
  line(prefix: string, what: string): Promise<string>;
}

/** An orders process that hangs when its checkout saga reaches `step` `phase`. */
function startOrders(name: string, step: string, phase: string): OrdersProcess {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...environment, INSTANCE: name, CRASH_AT: `${step}:${phase}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return {
    child,
    line: (prefix, what) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => fail(`timed out waiting for ${what}`), 15_000);
        const check = () => {
          const found = output.split("\n").find((l) => l.startsWith(prefix));
          if (found !== undefined) done(() => resolve(found.slice(prefix.length)));
        };
        const fail = (why: string) => done(() => reject(new Error(`${name}: ${why}; its output:\n${output}`)));
        const exit = () => fail("exited");
        const done = (then: () => void) => {
          clearTimeout(timer);
          child.stdout!.off("data", check);
          child.off("exit", exit);
          then();
        };
        child.stdout!.on("data", check);
        child.once("exit", exit);
        check();
      }),
  };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.once("exit", () => resolve()),
  );
}

const STEPS = ["reserve", "authorize", "place", "capture", "commit", "empty-cart"] as const;
const POINTS = [
  // Recorded (and its transaction committed), not yet run.
  { step: "started", phase: "saved" } as const,
  ...STEPS.flatMap((step) => (["called", "saved"] as const).map((phase) => ({ step, phase }))),
];

describe("the orders process killed -9 at each point of the checkout saga", () => {
  it.each(POINTS)(
    "after $step is $phase: another instance completes it or compensates it, with every effect exactly once",
    async ({ step, phase }) => {
      const product = await shop.world.product({ price: 1200, stock: 5 });
      const guest = await guestWith(shop, product.variantId, 1);
      const doomed = startOrders(`orders-killed-${step}-${phase}`, step, phase);
      const port = await doomed.line("listening ", "the process to listen");
      const answer = checkout({
        id: guest.id,
        orders: http(`http://127.0.0.1:${port}`, { "x-cart-token": guest.token }),
      }).catch((error: unknown) => error);
      const sagaId = await doomed.line("at ", `the checkout to reach ${step} ${phase}`);

      doomed.child.kill("SIGKILL");
      await exited(doomed.child);
      expect(doomed.child.signalCode).toBe("SIGKILL");
      // The caller gets no answer: its connection died with the process.
      expect(await answer).toBeInstanceOf(Error);

      // Another instance's worker takes it over once the dead one's lease (1 s) has expired.
      const rescuer = await shop.instance(`orders-rescuer-${step}-${phase}`, { sagaWorkerMs: 100 });
      try {
        const end = await expectTakenOver(shop, sagaId, step, product.variantId);
        expect(await orderEvents(shop, sagaId)).toEqual(end.order === "paid" ? PAID_ORDER_EVENTS : STARTED_ONLY_EVENTS);
      } finally {
        await rescuer.close();
      }
    },
    30_000,
  );
});
