import { setTimeout as sleep } from "node:timers/promises";
import type { Outbox } from "@comptoir/events";
import { type Db, UnavailableError, withTx } from "@comptoir/platform";
import { Redis } from "ioredis";
import { publishCartEvents } from "../db/cart-events.repo";
import { type Cart, isLive } from "../model/cart";
import { type CartEvent, cartEventsOf } from "../model/cart-events";
import type { CartStore } from "../model/cart.store";

/**
 * Applies writes to several keys only if each key still holds what the caller read (a
 * compare-and-set over keys, atomic in Redis), and queues the events of the write. The last key is
 * the event queue (a list); for key i before it: ARGV[3i-2] is the expectation (`*` any, `!` absent,
 * `=<value>` exactly this value), ARGV[3i-1] the new value (empty: delete), ARGV[3i] its time to
 * live in ms; the ARGV after those are events to append to the queue. Returns 1 when written, 0
 * when an expectation failed (nothing written, nothing queued).
 */
const COMMIT = `
local n = #KEYS - 1
for i = 1, n do
  local want = ARGV[3 * i - 2]
  if want ~= '*' then
    local current = redis.call('GET', KEYS[i])
    if want == '!' then
      if current then return 0 end
    elseif current ~= string.sub(want, 2) then
      return 0
    end
  end
end
for i = 1, n do
  local value = ARGV[3 * i - 1]
  if value == '' then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], value, 'PX', ARGV[3 * i])
  end
end
for j = 3 * n + 1, #ARGV do
  redis.call('RPUSH', KEYS[#KEYS], ARGV[j])
end
return 1
`;

interface Write {
  key: string;
  /** `*` any, `!` absent, or the exact value read (the write fails if it changed). */
  expect: "*" | "!" | { value: string };
  /** New value; undefined deletes the key. */
  value?: string;
  /** When the key should expire (a cart's expiresAt). */
  expiresAt?: string;
}

/** Queued events relayed per round trip by relayEvents. */
const RELAY_BATCH = 100;

type WithCommit = Redis & { cartCommit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number> };

export interface RedisCartStoreOptions {
  url: string;
  /** The service's PostgreSQL database and outbox, where the queued events go (cart.cart.*). */
  db: Db;
  outbox: Outbox;
  /** Prefix of every key (several deployments, or test runs, may share a Redis). */
  keyPrefix?: string;
  now?: () => number;
  /** Attempts of a write that keeps meeting concurrent writes to the same cart. */
  maxAttempts?: number;
}

/**
 * Carts in Redis: `<prefix>cart:<id>` holds the cart's JSON and `<prefix>customer:<customerId>` the
 * id of the customer's cart, both expiring with the cart (PX, pushed back at each write). A write
 * reads the cart, computes the new one and commits it with a Lua compare-and-set that fails if
 * anyone wrote in between; it is then tried again on the fresh copy, so no update is lost.
 *
 * Events (`cart.cart.created`, `cart.cart.filled`) cannot share a transaction with PostgreSQL's
 * outbox: the same commit appends them to `<prefix>events` (a list), atomically with the cart, and
 * the write then relays them to the outbox (publishCartEvents: once per cart and type) and takes them
 * off the list. A crash in between leaves them on the list, for `relayEvents` (the periodic sweep,
 * on any instance) to move: an event is never lost, at worst late; relayed twice, it is written once.
 */
export function createRedisCartStore(options: RedisCartStoreOptions): CartStore {
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 2,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  }) as WithCommit;
  redis.defineCommand("cartCommit", { lua: COMMIT });
  // Errors reach the requests that meet them; a listener keeps ioredis from reporting them as unhandled.
  redis.on("error", () => {});
  const prefix = options.keyPrefix ?? "comptoir:carts:";
  const maxAttempts = options.maxAttempts ?? 100;
  const clock = options.now ?? Date.now;
  const cartKey = (id: string) => `${prefix}cart:${id}`;
  const customerKey = (customerId: string) => `${prefix}customer:${customerId}`;
  const eventsKey = `${prefix}events`;

  /** Redis failures are a 503 naming the store, not a 500. */
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof Error && !(error instanceof UnavailableError) && isRedisError(error)) {
        throw new UnavailableError("The cart store (Redis) is unavailable.", {
          retryAfterSeconds: 1,
          extensions: { dependency: "redis" },
          cause: error,
        });
      }
      throw error;
    }
  }

  function parse(raw: string | null): Cart | undefined {
    if (raw === null) return undefined;
    // Carts written before carts kept their recent Idempotency-Keys have none.
    const stored = JSON.parse(raw) as Omit<Cart, "recentKeys"> & { recentKeys?: Cart["recentKeys"] };
    const cart: Cart = { ...stored, recentKeys: stored.recentKeys ?? [] };
    return isLive(cart, clock()) ? cart : undefined;
  }

  /** Writes (if nobody wrote in between) and queues `events` with them; once written, relays them. */
  async function commit(writes: Write[], events: CartEvent[] = []): Promise<boolean> {
    const args: (string | number)[] = [];
    for (const w of writes) {
      args.push(w.expect === "*" || w.expect === "!" ? w.expect : `=${w.expect.value}`);
      args.push(w.value ?? "");
      args.push(w.expiresAt ? Math.max(1, Date.parse(w.expiresAt) - clock()) : 1);
    }
    const queued = events.map((e) => JSON.stringify(e));
    const ok = await redis.cartCommit(writes.length + 1, ...writes.map((w) => w.key), eventsKey, ...args, ...queued);
    if (ok !== 1) return false;
    // The cart is saved: its events are safe on the list. PostgreSQL away, they wait there for relayEvents.
    if (queued.length > 0) await relay(queued).catch(() => {});
    return true;
  }

  /** Publishes queued events (JSON) through the outbox, once per cart and type, then takes them off the queue. */
  async function relay(queued: string[]): Promise<number> {
    const published = await withTx(options.db, (tx) =>
      publishCartEvents(
        tx,
        options.outbox,
        queued.map((entry) => JSON.parse(entry) as CartEvent),
      ),
    );
    for (const entry of queued) await redis.lrem(eventsKey, 1, entry);
    return published;
  }

  /** Runs `attempt` until it commits (true) or decides (a value); gives up with a 503 after maxAttempts. */
  async function retrying<T>(attempt: () => Promise<{ done: true; value: T } | { done: false }>): Promise<T> {
    for (let n = 1; n <= maxAttempts; n++) {
      const result = await attempt();
      if (result.done) return result.value;
      await sleep(Math.random() * Math.min(2 * n, 20));
    }
    throw new UnavailableError("The cart is being changed by too many requests at once; try again.", {
      retryAfterSeconds: 1,
    });
  }

  /** The customer's live cart and the raw values read (for the compare-and-set). */
  async function readCustomer(customerId: string) {
    const index = await redis.get(customerKey(customerId));
    if (index === null) return { index, raw: null, cart: undefined };
    const raw = await redis.get(cartKey(index));
    const cart = parse(raw);
    return { index, raw, cart: cart?.customerId === customerId ? cart : undefined };
  }

  const cartWrite = (cart: Cart, expect: Write["expect"]): Write => ({
    key: cartKey(cart.id),
    expect,
    value: JSON.stringify(cart),
    expiresAt: cart.expiresAt,
  });
  const indexWrite = (cart: Cart, index: string | null): Write => ({
    key: customerKey(cart.customerId!),
    expect: index === null ? "!" : { value: index },
    value: cart.id,
    expiresAt: cart.expiresAt,
  });

  return {
    kind: "redis",

    get: (id) => call(async () => parse(await redis.get(cartKey(id)))),

    findByCustomer: (customerId) => call(async () => (await readCustomer(customerId)).cart),

    create: (cart) =>
      call(() =>
        retrying<{ cart: Cart; created: boolean }>(async () => {
          const events = cartEventsOf(undefined, cart);
          if (!cart.customerId) {
            if (await commit([cartWrite(cart, "!")], events)) return { done: true, value: { cart, created: true } };
            // The id is taken (a guest cart created again under its Idempotency-Key): that cart comes back;
            // if it expired in between, its key is gone and the next attempt writes this one.
            const existing = parse(await redis.get(cartKey(cart.id)));
            return existing ? { done: true, value: { cart: existing, created: false } } : { done: false };
          }
          const { index, cart: existing } = await readCustomer(cart.customerId);
          if (existing) return { done: true, value: { cart: existing, created: false } };
          // The index may still name an expired cart: replaced, if nobody changed it meanwhile.
          const ok = await commit([cartWrite(cart, "!"), indexWrite(cart, index)], events);
          return ok ? { done: true, value: { cart, created: true } } : { done: false };
        }),
      ),

    update: (id, change) =>
      call(() =>
        retrying<Cart | undefined>(async () => {
          const raw = await redis.get(cartKey(id));
          const cart = parse(raw);
          if (!cart) return { done: true, value: undefined };
          const next = change(cart);
          if (next === cart) return { done: true, value: cart };
          const writes = [cartWrite(next, { value: raw! })];
          // The index lives as long as the cart.
          if (next.customerId) writes.push({ ...indexWrite(next, null), expect: "*" });
          return (await commit(writes, cartEventsOf(cart, next))) ? { done: true, value: next } : { done: false };
        }),
      ),

    associate: (guestId, customerId, merge) =>
      call(() =>
        retrying<Cart | undefined>(async () => {
          const rawGuest = await redis.get(cartKey(guestId));
          const guest = parse(rawGuest);
          if (!guest) return { done: true, value: undefined };
          const customer = await readCustomer(customerId);
          const current = customer.index === guestId ? undefined : customer.cart;
          const result = merge(guest, current);
          const writes: Write[] = [];
          if (result.id === guest.id) {
            writes.push(cartWrite(result, { value: rawGuest! }));
          } else {
            writes.push(cartWrite(result, { value: customer.raw! }));
            writes.push({ key: cartKey(guest.id), expect: { value: rawGuest! } });
          }
          writes.push(indexWrite(result, customer.index));
          // Adopted, the guest cart is what it was; merged, the customer's cart may hold its first items.
          const events = cartEventsOf(result.id === guest.id ? guest : (current ?? guest), result);
          return (await commit(writes, events)) ? { done: true, value: result } : { done: false };
        }),
      ),

    sweep: async () => 0,

    relayEvents: () =>
      call(async () => {
        let total = 0;
        // Bounded: a queue that keeps growing is handled again at the next sweep.
        for (let round = 0; round < 100; round++) {
          const queued = await redis.lrange(eventsKey, 0, RELAY_BATCH - 1);
          if (queued.length > 0) total += await relay(queued);
          if (queued.length < RELAY_BATCH) break;
        }
        return total;
      }),

    ping: () =>
      call(async () => {
        await redis.ping();
      }),

    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function isRedisError(error: Error): boolean {
  const name = error.name;
  return (
    name === "ReplyError" ||
    name === "MaxRetriesPerRequestError" ||
    /Connection is closed|ECONNREFUSED|ETIMEDOUT|Command timed out|Stream isn't writeable/.test(error.message)
  );
}
