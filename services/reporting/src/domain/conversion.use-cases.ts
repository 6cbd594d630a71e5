import { type EventEnvelope, partitionOf, streamOf } from "@comptoir/contracts";
import { reportingHttp, type reportingConversionHttp } from "@comptoir/contracts/http";
import type { EventBus } from "@comptoir/events";
import type { Db, Queryable } from "@comptoir/platform";
import * as conversion from "../db/conversion.repo";
import { lockSalesModel } from "../db/rollups.repo";
import { conversionReport as buildReport, type FunnelStep } from "../model/conversion";
import { localSlot } from "../model/local-time";
import type { Period } from "../model/period";
import { dataAgeSeconds } from "./progress.use-cases";

/*
 * The online conversion funnel (issue 20): carts created and filled from cart's events, checkouts
 * started from orders', counted per day of the online channel's time zone; orders paid from the sales
 * model (the online channel's transactions).
 */

/** The streams the funnel's own events come from. */
export const CONVERSION_STREAMS = ["cart", "orders"] as const;

export interface ConversionReportDeps {
  db: Db;
  bus: EventBus;
  /** The online channel's time zone (REPORTING_ONLINE_TIMEZONE): the days of the funnel. */
  onlineTimeZone: string;
}

// ——— Events ———

/**
 * One more on a step, on the online channel's local day of the event's own instant (its data's, not its
 * envelope's). The bus applies each event once in effect (inbox); a cart's events count each on its own
 * day, whatever order they arrive in. Under the sales model's write lock, like every writer of reporting's
 * shared rows: batches of different partitions add to the same days in different orders, and a batch of
 * orders' stream mixes checkouts (this table) with paid orders (the sales model's), so a lock of its own
 * would still deadlock with that one.
 */
async function count(
  tx: Queryable,
  event: EventEnvelope,
  step: FunnelStep,
  at: string,
  onlineTimeZone: string,
): Promise<void> {
  await lockSalesModel(tx);
  await conversion.countStep(tx, localSlot(at, onlineTimeZone).day, step);
  await conversion.recordProgress(tx, streamOf(event.type), partitionOf(event.subject), event.occurredAt);
}

/** cart.cart.created: a cart created, on the day of `createdAt`. */
export const applyCartCreated = (tx: Queryable, event: EventEnvelope<"cart.cart.created">, onlineTimeZone: string) =>
  count(tx, event, "cartsCreated", event.data.createdAt, onlineTimeZone);

/** cart.cart.filled: a cart filled (its first item), on the day of `filledAt`. */
export const applyCartFilled = (tx: Queryable, event: EventEnvelope<"cart.cart.filled">, onlineTimeZone: string) =>
  count(tx, event, "cartsFilled", event.data.filledAt, onlineTimeZone);

/** orders.checkout.started: a checkout started (it may still fail), on the day of `startedAt`. */
export const applyCheckoutStarted = (
  tx: Queryable,
  event: EventEnvelope<"orders.checkout.started">,
  onlineTimeZone: string,
) => count(tx, event, "checkoutsStarted", event.data.startedAt, onlineTimeZone);

/** Clears the funnel's counts before `replay --from-start` delivers the events again. */
export const resetConversion = (tx: Queryable): Promise<void> => conversion.clearConversion(tx);

// ——— The report ———

/** The funnel per day of the period (checked by the route), and its totals. */
export async function conversionReport(
  deps: ConversionReportDeps,
  period: Period,
): Promise<reportingConversionHttp.ConversionReport> {
  const days = await conversion.readDays(deps.db, period, reportingHttp.ONLINE_CHANNEL);
  return buildReport(period, deps.onlineTimeZone, days);
}

/**
 * How old the report's data may be, in whole seconds (the Reporting-Data-Age header): the older of the
 * sales model's age (orders paid) and the funnel's: 0 when no cart or orders event waits for the group,
 * else the time since the newest one counted happened; -1 when events wait and none was counted yet.
 */
export async function conversionDataAgeSeconds(deps: ConversionReportDeps, now = Date.now()): Promise<number> {
  const [salesAge, lag, last] = await Promise.all([
    dataAgeSeconds(deps, now),
    deps.bus.transport.lag("reporting", CONVERSION_STREAMS),
    conversion.newestEventAt(deps.db),
  ]);
  const waiting = Object.values(lag).reduce((a, b) => a + b, 0);
  const funnelAge = waiting === 0 ? 0 : last ? Math.max(0, Math.ceil((now - last.getTime()) / 1000)) : -1;
  return salesAge === -1 || funnelAge === -1 ? -1 : Math.max(salesAge, funnelAge);
}
