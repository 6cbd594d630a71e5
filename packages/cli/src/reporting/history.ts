import {
  DEMO_STORES,
  EVENTS,
  type EventData,
  type EventType,
  type RawEnvelope,
  SEED_HISTORY_SOURCE,
  vatBreakdown,
  type VatRateValue,
} from "@comptoir/contracts";

/**
 * Synthetic sales history for reports (`comptoir reporting seed-history`): years of till sales of the
 * demo stores (with returns, voids and each register's closing) and paid online orders (some
 * refunded), as the envelopes retail and orders would have published. Pure and seeded: the same
 * options give the same events, ids included, so a second run with the same seed on the same day adds
 * nothing (the event log and reporting skip ids they have). Only reporting reads these streams' sales
 * events for figures; retail's and orders' own databases never hold these documents.
 */

/** Every seeded envelope says where it comes from (a producing service's name otherwise). */
export { SEED_HISTORY_SOURCE };

export interface HistoryVariant {
  variantId: string;
  productId: string;
  sku: string;
  /** The product's name (with the variant's options, if any). */
  name: string;
  /** Unit price, VAT included, in cents. */
  price: number;
  vatRate: VatRateValue;
}

export interface HistoryOptions {
  /** The first day after the history (local, YYYY-MM-DD): usually today. */
  endDay: string;
  years: number;
  /** Sale lines in all (till sales and paid orders), exactly. */
  lines: number;
  seed: number;
  /** What is sold; generatedCatalog(seed) when the platform's catalog cannot be read. */
  catalog: readonly HistoryVariant[];
  /** The stores' and the online channel's time zone (retail's demo seed: Europe/Paris). */
  timeZone?: string;
}

/** One local day of history: its events in the order they happened. */
export interface HistoryDay {
  day: string;
  events: RawEnvelope[];
  /** Sale lines of the day's till sales and paid orders. */
  lines: number;
}

// ---------------------------------------------------------------------------------------------
// Randomness, ids, time

/** mulberry32: a small, fast, seeded generator (floats in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** A UUIDv7 of instant `ms` whose random bits come from `rng`. */
function uuid7(rng: Rng, ms: number): string {
  const time = hex(ms, 12);
  const r = () => hex(Math.floor(rng() * 0x10000), 4);
  const variant = hex(0x8000 | Math.floor(rng() * 0x4000), 4);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${r().slice(1)}-${variant}-${r()}${r()}${r()}`;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `ms`, in ms (Intl does the zone rules). */
function offsetMs(timeZone: string, ms: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    offsetFormats.set(timeZone, format);
  }
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of local wall-clock time `minutes` after midnight of `day` in `timeZone` (a time that
 * does not exist, in the spring-forward gap, moves forward by the gap).
 */
export function localInstant(day: string, minutes: number, timeZone: string): number {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + Math.floor(minutes * 60_000);
  let guess = wall - offsetMs(timeZone, wall);
  guess = wall - offsetMs(timeZone, guess);
  return guess;
}

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// The shops

interface Channel {
  /** `online`, or the store's index in DEMO_STORES. */
  kind: "online" | "store";
  store?: (typeof DEMO_STORES)[number] & { index: number };
  /** Share of the business (before the day's weights). */
  weight: number;
}

/** Retail's demo opening hours (services/retail/src/seed/demo.ts), minutes after midnight per weekday (0 = Sunday). */
function openingHours(storeIndex: number, weekday: number): [number, number] | null {
  if (weekday === 0) return storeIndex === 0 ? [11 * 60, 18 * 60] : null;
  if (weekday === 5) return [10 * 60, 20 * 60];
  if (weekday === 6) return [9 * 60 + 30, 20 * 60];
  return [10 * 60, 19 * 60 + 30];
}

/** Retail's demo registers: register j (1, 2) of demo store i (1, 2, 3). */
const registerId = (store: number, register: number) => `0192f5a0-0000-7000-8000-00000000d${store}0${register}`;

const CHANNELS: Channel[] = [
  { kind: "online", weight: 0.32 },
  ...DEMO_STORES.map((store, index) => ({
    kind: "store" as const,
    store: { ...store, index },
    weight: [0.3, 0.22, 0.16][index]!,
  })),
];

/** Stores are closed on these days (month-day). */
const HOLIDAYS = new Set(["01-01", "05-01", "12-25"]);

/** How busy a channel is on a day, relative to an average day: weekday, season, sales, growth. */
function dayWeight(channel: Channel, day: string, progress: number): number {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  const month = Number(day.slice(5, 7));
  const date = Number(day.slice(8, 10));
  let w: number;
  if (channel.kind === "online") {
    w = [1.15, 1.1, 0.95, 0.95, 0.9, 0.9, 0.85][weekday]!;
  } else {
    if (!openingHours(channel.store!.index, weekday) || HOLIDAYS.has(day.slice(5))) return 0;
    w = [0.7, 0.75, 0.85, 1.0, 0.95, 1.2, 1.65][weekday]!;
  }
  const season = [0, 1.05, 0.8, 0.9, 0.95, 1.0, 1.0, 0.95, 0.7, 1.0, 1.0, 1.15, 1.55][month]!;
  // Winter and summer sales (soldes): the first four weeks of January and of July.
  const soldes = (month === 1 && date >= 8) || (month === 7 && date <= 28) ? 1.25 : 1;
  // The run-up to Christmas.
  const christmas = month === 12 && date >= 10 && date <= 24 ? 1.3 : 1;
  const growth = 0.9 + 0.2 * progress;
  return w * season * soldes * christmas * growth;
}

// ---------------------------------------------------------------------------------------------
// A catalog when the platform's cannot be read

const GENERATED_PRODUCTS: [string, number, VatRateValue][] = [
  ["T-shirt col rond en coton bio", 1990, 2000],
  ["Robe portefeuille en lin", 8900, 2000],
  ["Pull en laine mérinos", 7900, 2000],
  ["Chemise oxford", 5900, 2000],
  ["Jean droit brut", 7900, 2000],
  ["Baskets en cuir", 9900, 2000],
  ["Écharpe en laine", 3500, 2000],
  ["Tasse en grès", 1400, 2000],
  ["Plaid en laine", 6900, 2000],
  ["Bougie parfumée", 2400, 2000],
  ["Coussin en lin lavé", 2900, 2000],
  ["Carnet A5 ligné", 900, 2000],
  ["Café de spécialité 250 g", 1050, 550],
  ["Thé vert bio 100 g", 850, 550],
  ["Chocolat noir 70 %", 450, 550],
  ["Confiture d'abricot", 590, 550],
  ["Miel de lavande", 990, 550],
  ["Huile d'olive vierge extra", 1490, 550],
  ["Biscuits au beurre", 390, 550],
  ["Livre de recettes", 2500, 550],
];

/** 20 products with 1 to 3 variants each, ids from the seed (said to be generated wherever they show). */
export function generatedCatalog(seed: number): HistoryVariant[] {
  const rng = seededRandom(seed ^ 0x5eed);
  const variants: HistoryVariant[] = [];
  const base = Date.parse("2024-01-01T00:00:00Z");
  for (const [i, [name, price, vatRate]] of GENERATED_PRODUCTS.entries()) {
    const productId = uuid7(rng, base + i);
    const sizes = vatRate === 550 ? [""] : ["S", "M", "L"].slice(0, 1 + (i % 3));
    for (const [k, size] of sizes.entries()) {
      variants.push({
        variantId: uuid7(rng, base + i * 10 + k),
        productId,
        sku: `HIST-${String(i + 1).padStart(3, "0")}${size ? `-${size}` : ""}`,
        name: size ? `${name} (${size})` : name,
        price,
        vatRate,
      });
    }
  }
  return variants;
}

// ---------------------------------------------------------------------------------------------
// The generator

type SaleCompleted = EventData<"retail.sale.completed">;
type OrderPaid = EventData<"orders.order.paid">;

const SALE_REASONS = ["Erreur de saisie", "Client a changé d'avis", "Moyen de paiement refusé"];
const RETURN_REASONS = ["Taille non adaptée", "Article défectueux", "Ne convient pas", null];
const REFUND_REASONS = ["Commande annulée", "Retour client", "Article manquant", null];
const CITIES = [
  ["Paris", "75011"],
  ["Lyon", "69003"],
  ["Marseille", "13006"],
  ["Toulouse", "31000"],
  ["Nantes", "44000"],
  ["Lille", "59000"],
  ["Bordeaux", "33000"],
  ["Strasbourg", "67000"],
] as const;

/** Lines per sale: mostly 1 to 3, up to 8 (about 2.4 on average). */
function lineCount(rng: Rng): number {
  const r = rng();
  if (r < 0.33) return 1;
  if (r < 0.6) return 2;
  if (r < 0.8) return 3;
  if (r < 0.9) return 4;
  return 5 + Math.floor(rng() * 4);
}

/** Picks variants by popularity (a long tail: the first of a shuffled catalog sell most). */
function popularity(catalog: readonly HistoryVariant[], rng: Rng) {
  const order = catalog.map((v, i) => ({ v, k: rng(), i })).sort((a, b) => a.k - b.k || a.i - b.i);
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < order.length; i++) cumulative.push((total += 1 / (i + 1) ** 0.8));
  return (r: number): HistoryVariant => {
    const target = r * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return order[lo]!.v;
  };
}

/** A moment of a store's opening hours, busier at lunch and late afternoon (minutes after midnight). */
function shopMinute(rng: Rng, open: number, close: number): number {
  const r = rng();
  const span = close - open;
  let at: number;
  if (r < 0.3) at = 12 * 60 + rng() * 120;
  else if (r < 0.6) at = 16 * 60 + 30 + rng() * 150;
  else at = open + rng() * span;
  return Math.min(close - 1, Math.max(open, at));
}

interface Envelope {
  at: number;
  envelope: RawEnvelope;
}

function envelope<T extends EventType>(rng: Rng, type: T, subject: string, at: number, data: EventData<T>): Envelope {
  return {
    at,
    envelope: {
      id: uuid7(rng, at),
      type,
      source: SEED_HISTORY_SOURCE,
      subject,
      occurredAt: new Date(at).toISOString(),
      version: EVENTS[type].version,
      data,
    },
  };
}

/** Splits `lines` over the days' weights, whole numbers that add up exactly (largest remainders). */
function apportion(weights: readonly number[], lines: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w / total) * lines);
  const whole = exact.map(Math.floor);
  let left = lines - whole.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - whole[i]! })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    whole[i]!++;
  }
  return whole;
}

/** The days of the history, oldest first. */
export function historyDays(endDay: string, years: number): string[] {
  const [y, m, d] = endDay.split("-").map(Number) as [number, number, number];
  const whole = Math.floor(years);
  const first = new Date(Date.UTC(y - whole, m - 1, d) - Math.round((years - whole) * 365) * 86_400_000);
  const days: string[] = [];
  for (let day = first.toISOString().slice(0, 10); day < endDay; day = addDays(day, 1)) days.push(day);
  return days;
}

/**
 * The history, one local day at a time, oldest first (a generator: two years of events never sit in
 * memory at once). Returns, refunds fall on later days than their sale; voids later the same day.
 */
export function* generateHistory(options: HistoryOptions): Generator<HistoryDay> {
  const timeZone = options.timeZone ?? "Europe/Paris";
  if (options.catalog.length === 0) throw new Error("the history needs a catalog of at least one variant");
  const rng = seededRandom(options.seed);
  const pick = popularity(options.catalog, rng);
  const days = historyDays(options.endDay, options.years);
  const quotas = CHANNELS.map((c) =>
    days.map((day, i) => c.weight * dayWeight(c, day, days.length > 1 ? i / (days.length - 1) : 0)),
  );
  const flat = apportion(quotas.flat(), options.lines);
  const quota = (c: number, d: number) => flat[c * days.length + d]!;
  /** Events planned for later days (returns, refunds), by day. */
  const later = new Map<string, Envelope[]>();
  const plan = (day: string, e: Envelope) => {
    const list = later.get(day) ?? [];
    list.push(e);
    later.set(day, list);
  };
  const customers = Array.from({ length: 400 }, () => uuid7(rng, Date.parse("2024-01-01T00:00:00Z")));
  const cashiers = DEMO_STORES.map(() => [0, 1, 2].map(() => uuid7(rng, Date.parse("2024-01-01T00:00:00Z"))));
  let receipt = 0;

  for (const [d, day] of days.entries()) {
    const events: Envelope[] = later.get(day) ?? [];
    later.delete(day);
    const dayStart = localInstant(day, 0, timeZone);
    const dayEnd = localInstant(addDays(day, 1), 0, timeZone);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    let dayLines = 0;

    for (const [c, channel] of CHANNELS.entries()) {
      let left = quota(c, d);
      dayLines += left;
      const basket = () => {
        const n = Math.min(left, lineCount(rng));
        left -= n;
        const chosen = new Map<string, HistoryVariant>();
        for (let tries = 0; chosen.size < n && tries < n * 4; tries++) {
          const v = pick(rng());
          chosen.set(v.variantId, v);
        }
        // A small catalog may not have n distinct variants: the rest on other lines of the same.
        const list = [...chosen.values()];
        while (list.length < n) list.push(options.catalog[list.length % options.catalog.length]!);
        return list.map((v) => ({ v, quantity: rng() < 0.82 ? 1 : rng() < 0.8 ? 2 : 3 }));
      };

      if (channel.kind === "online") {
        while (left > 0) {
          const items = basket();
          const at = dayStart + Math.floor(onlineFraction(rng) * (dayEnd - dayStart));
          const order = onlineOrder(rng, items, at, customers);
          events.push(envelope(rng, "orders.order.paid", order.orderId, at, order));
          if (rng() < 0.04) {
            const back = int(rng, 2, 20);
            const refundDay = addDays(day, back);
            if (refundDay < options.endDay) {
              const refundAt = localInstant(refundDay, int(rng, 8 * 60, 19 * 60), timeZone) + int(rng, 0, 59_999);
              const amount = rng() < 0.7 ? order.totals.total : order.lines[0]!.unitPrice * order.lines[0]!.quantity;
              plan(
                refundDay,
                envelope(rng, "orders.order.refunded", order.orderId, refundAt, {
                  ...order,
                  status: "refunded",
                  refundedAmount: amount,
                  reason: REFUND_REASONS[int(rng, 0, REFUND_REASONS.length - 1)]!,
                }),
              );
            }
          }
        }
        continue;
      }

      const hours = openingHours(channel.store!.index, weekday);
      if (!hours || left === 0) continue;
      const [open, close] = hours;
      const store = channel.store!;
      const storeRef = { id: store.storeId, code: store.code, name: store.name, timezone: timeZone };
      const registers = [1, 2].map((j) => ({
        ref: { id: registerId(store.index + 1, j), code: `CAISSE-${j}`, name: `Caisse ${j}` },
        sessionId: uuid7(rng, localInstant(day, open - 15, timeZone)),
        sales: [] as SaleCompleted[],
        voided: [] as SaleCompleted[],
        returns: [] as EventData<"retail.sale.returned">[],
      }));
      // Returns planned on this day for this store, at its first register.
      for (const e of events) {
        if (e.envelope.type !== "retail.sale.returned") continue;
        const data = e.envelope.data as EventData<"retail.sale.returned">;
        if (data.store.id !== store.storeId) continue;
        data.register = registers[0]!.ref;
        data.sessionId = registers[0]!.sessionId;
        registers[0]!.returns.push(data);
      }
      while (left > 0) {
        const items = basket();
        const register = registers[rng() < 0.6 ? 0 : 1]!;
        const at = localInstant(day, shopMinute(rng, open, close), timeZone) + int(rng, 0, 59_999);
        receipt++;
        const sale = tillSale(rng, items, at, {
          store: storeRef,
          locationId: store.locationId,
          register: register.ref,
          sessionId: register.sessionId,
          cashierId: cashiers[store.index]![int(rng, 0, 2)]!,
          receiptNumber: `H-${store.code}-${day.replaceAll("-", "")}-${String(receipt % 100_000).padStart(5, "0")}`,
        });
        events.push(envelope(rng, "retail.sale.completed", sale.saleId, at, sale));
        const fate = rng();
        if (fate < 0.006) {
          // Voided in its session, a few minutes later.
          const voidAt = Math.min(at + int(rng, 1, 15) * 60_000, localInstant(day, close, timeZone));
          register.voided.push(sale);
          events.push(
            envelope(rng, "retail.sale.voided", sale.saleId, voidAt, {
              ...saleFieldsOf(sale),
              occurredAt: new Date(voidAt).toISOString(),
              receiptNumber: sale.receiptNumber,
              lines: sale.lines,
              total: sale.total,
              vat: sale.vat,
              refunds: [{ method: sale.tenders[0]!.method, amount: sale.total }],
              reason: SALE_REASONS[int(rng, 0, SALE_REASONS.length - 1)]!,
            }),
          );
          continue;
        }
        register.sales.push(sale);
        if (fate < 0.036) planReturn(sale, day);
      }
      // Each register's closing (Z report), a quarter of an hour after closing time.
      for (const [j, register] of registers.entries()) {
        if (register.sales.length === 0 && register.returns.length === 0 && register.voided.length === 0) continue;
        const closedAt = localInstant(day, close + 15 + j * 3, timeZone) + int(rng, 0, 59_999);
        const closing = registerClosing(rng, register, {
          store: storeRef,
          openedAt: localInstant(day, open - 15, timeZone),
          closedAt,
          openedBy: cashiers[store.index]![0]!,
        });
        events.push(envelope(rng, "retail.register.closed", register.ref.id, closedAt, closing));
      }
    }
    events.sort((a, b) => a.at - b.at || (a.envelope.id < b.envelope.id ? -1 : 1));
    yield { day, events: events.map((e) => e.envelope), lines: dayLines };
  }

  /** A return of part of a sale, 1 to 14 days later, on a day its store is open (else none). */
  function planReturn(sale: SaleCompleted, day: string): void {
    const returnDay = addDays(day, int(rng, 1, 14));
    const storeIndex = DEMO_STORES.findIndex((s) => s.storeId === sale.store.id);
    const hours = openingHours(storeIndex, new Date(`${returnDay}T00:00:00Z`).getUTCDay());
    if (returnDay >= options.endDay || !hours || HOLIDAYS.has(returnDay.slice(5))) return;
    const at = localInstant(returnDay, shopMinute(rng, hours[0], hours[1]), timeZone) + int(rng, 0, 59_999);
    const lines = sale.lines
      .filter((_, i) => i === 0 || rng() < 0.3)
      .map((l) => {
        const quantity = int(rng, 1, l.quantity);
        return {
          variantId: l.variantId,
          productId: l.productId,
          sku: l.sku,
          name: l.name,
          quantity,
          unitPrice: l.unitPrice,
          lineTotal: Math.round((l.lineTotal * quantity) / l.quantity),
          vatRate: l.vatRate,
        };
      });
    const total = lines.reduce((a, l) => a + l.lineTotal, 0);
    receipt++;
    plan(
      returnDay,
      envelope(rng, "retail.sale.returned", sale.saleId, at, {
        ...saleFieldsOf(sale),
        occurredAt: new Date(at).toISOString(),
        returnId: uuid7(rng, at),
        receiptNumber: `H-R-${sale.store.code}-${returnDay.replaceAll("-", "")}-${String(receipt % 100_000).padStart(5, "0")}`,
        originalReceiptNumber: sale.receiptNumber,
        lines,
        total,
        vat: vatBreakdown(lines.map((l) => ({ vatRate: l.vatRate, total: l.lineTotal }))),
        refunds: [{ method: sale.tenders[0]!.method, amount: total }],
        reason: RETURN_REASONS[int(rng, 0, RETURN_REASONS.length - 1)]!,
      }),
    );
  }
}

/** Online orders come at any hour, most in the evening (a fraction of the local day). */
function onlineFraction(rng: Rng): number {
  const r = rng();
  if (r < 0.45) return (18 + rng() * 5) / 24;
  if (r < 0.75) return (11 + rng() * 3) / 24;
  return rng();
}

const SHIPPING_FEE = 490;
const FREE_SHIPPING_FROM = 6000;

function onlineOrder(
  rng: Rng,
  items: { v: HistoryVariant; quantity: number }[],
  at: number,
  customers: readonly string[],
): OrderPaid {
  const lines = items.map(({ v, quantity }) => ({
    variantId: v.variantId,
    productId: v.productId,
    sku: v.sku,
    name: v.name,
    quantity,
    unitPrice: v.price,
    vatRate: v.vatRate,
  }));
  const subtotal = lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
  const shipping = subtotal >= FREE_SHIPPING_FROM ? 0 : SHIPPING_FEE;
  // The shipping fee at the highest rate among the lines (orders' rule).
  const highest = Math.max(...lines.map((l) => l.vatRate)) as VatRateValue;
  const vat = vatBreakdown([
    ...lines.map((l) => ({ vatRate: l.vatRate, total: l.quantity * l.unitPrice })),
    ...(shipping > 0 ? [{ vatRate: highest, total: shipping }] : []),
  ]);
  const guest = rng() < 0.3;
  const n = int(rng, 0, customers.length - 1);
  const [city, postalCode] = CITIES[int(rng, 0, CITIES.length - 1)]!;
  return {
    orderId: uuid7(rng, at - 120_000),
    customerId: guest ? null : customers[n]!,
    email: guest ? `invite${int(rng, 1, 99_999)}@exemple.invalid` : `client${n + 1}@exemple.invalid`,
    language: rng() < 0.85 ? "fr" : "en",
    channel: "online",
    storeId: null,
    lines,
    totals: { subtotal, shipping, total: subtotal + shipping, currency: "EUR" },
    vat: vat as OrderPaid["vat"],
    shippingAddress: {
      name: guest ? "Client invité" : `Client ${n + 1}`,
      line1: `${int(rng, 1, 120)} rue de la République`,
      line2: null,
      city,
      postalCode,
      country: "FR",
    },
    placedAt: new Date(at - int(rng, 20, 300) * 1000).toISOString(),
    status: "paid",
    paymentId: uuid7(rng, at),
  };
}

interface TillContext {
  store: SaleCompleted["store"];
  locationId: string;
  register: SaleCompleted["register"];
  sessionId: string;
  cashierId: string;
  receiptNumber: string;
}

function tillSale(
  rng: Rng,
  items: { v: HistoryVariant; quantity: number }[],
  at: number,
  ctx: TillContext,
): SaleCompleted {
  // 8 % of lines carry a 10 to 30 % markdown; 3 % of baskets a 10 % basket discount (spread over the lines).
  const basketRate = rng() < 0.03 ? 0.1 : 0;
  let lineDiscounts = 0;
  let basketDiscounts = 0;
  const lines = items.map(({ v, quantity }) => {
    const gross = quantity * v.price;
    const own = rng() < 0.08 ? Math.round(gross * (0.1 + 0.1 * int(rng, 0, 2))) : 0;
    const shared = Math.round((gross - own) * basketRate);
    lineDiscounts += own;
    basketDiscounts += shared;
    return {
      variantId: v.variantId,
      productId: v.productId,
      sku: v.sku,
      name: v.name,
      quantity,
      unitPrice: v.price,
      discount: own + shared,
      lineTotal: gross - own - shared,
      vatRate: v.vatRate as number,
    };
  });
  const subtotal = lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
  const discountTotal = lineDiscounts + basketDiscounts;
  const total = subtotal - discountTotal;
  const cash = rng() < 0.28;
  const handed = cash ? Math.ceil(total / 500) * 500 : total;
  return {
    saleId: uuid7(rng, at),
    store: ctx.store,
    channel: "store",
    locationId: ctx.locationId,
    register: ctx.register,
    sessionId: ctx.sessionId,
    cashierId: ctx.cashierId,
    currency: "EUR",
    occurredAt: new Date(at).toISOString(),
    receiptNumber: ctx.receiptNumber,
    lines,
    discounts: { lines: lineDiscounts, basket: basketDiscounts, total: discountTotal },
    subtotal,
    discountTotal,
    total,
    vat: vatBreakdown(lines.map((l) => ({ vatRate: l.vatRate, total: l.lineTotal }))),
    tenders: [{ method: cash ? "cash" : "card", amount: handed }],
    change: handed - total,
  };
}

function saleFieldsOf(sale: SaleCompleted) {
  const { saleId, store, channel, locationId, register, sessionId, cashierId, currency, occurredAt } = sale;
  return { saleId, store, channel, locationId, register, sessionId, cashierId, currency, occurredAt };
}

const OPENING_FLOAT = 15_000;

/** The Z report of a register's day: its sales, returns and voids, the cash expected and counted. */
function registerClosing(
  rng: Rng,
  register: {
    ref: SaleCompleted["register"];
    sessionId: string;
    sales: SaleCompleted[];
    voided: SaleCompleted[];
    returns: EventData<"retail.sale.returned">[];
  },
  ctx: { store: SaleCompleted["store"]; openedAt: number; closedAt: number; openedBy: string },
): EventData<"retail.register.closed"> {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const cashSales = register.sales.filter((s) => s.tenders[0]!.method === "cash");
  const cashTaken = sum(cashSales.map((s) => s.tenders[0]!.amount));
  const changeGiven = sum(cashSales.map((s) => s.change));
  const cashRefunds = sum(register.returns.filter((r) => r.refunds[0]!.method === "cash").map((r) => r.total));
  const salesTotal = sum(register.sales.map((s) => s.total));
  const returnsTotal = sum(register.returns.map((r) => r.total));
  const expectedCash = OPENING_FLOAT + cashTaken - changeGiven - cashRefunds;
  // Most days the drawer is right; some days a few euros are missing or extra.
  const variance = rng() < 0.85 ? 0 : int(rng, -800, 500);
  const countedCash = Math.max(0, expectedCash + variance);
  const byRate = new Map<number, { rate: number; base: number; vat: number; total: number }>();
  const addVat = (lines: { rate: number; base: number; vat: number; total: number }[], sign: number) => {
    for (const l of lines) {
      const into = byRate.get(l.rate) ?? { rate: l.rate, base: 0, vat: 0, total: 0 };
      into.base += sign * l.base;
      into.vat += sign * l.vat;
      into.total += sign * l.total;
      byRate.set(l.rate, into);
    }
  };
  for (const s of register.sales) addVat(s.vat, 1);
  for (const r of register.returns) addVat(r.vat, -1);
  return {
    store: ctx.store,
    channel: "store",
    register: register.ref,
    sessionId: register.sessionId,
    currency: "EUR",
    openingFloat: OPENING_FLOAT,
    openedBy: ctx.openedBy,
    openedAt: new Date(ctx.openedAt).toISOString(),
    closedBy: ctx.openedBy,
    closedAt: new Date(ctx.closedAt).toISOString(),
    flagged: false,
    salesCount: register.sales.length,
    salesTotal,
    discountTotal: sum(register.sales.map((s) => s.discountTotal)),
    byTender: [
      { method: "card", amount: salesTotal - (cashTaken - changeGiven) },
      { method: "cash", amount: cashTaken - changeGiven },
    ],
    byVatRate: [...byRate.values()].sort((a, b) => b.rate - a.rate),
    returnsCount: register.returns.length,
    returnsTotal,
    voidsCount: register.voided.length,
    voidsTotal: sum(register.voided.map((s) => s.total)),
    cashIn: 0,
    cashOut: 0,
    cashTaken,
    changeGiven,
    cashRefunds,
    expectedCash,
    countedCash,
    variance: countedCash - expectedCash,
  };
}
