import type { EventEnvelope } from "@comptoir/contracts";
import type { reportingStockHttp } from "@comptoir/contracts/http";
import type { EventBus } from "@comptoir/events";
import { type Db, type PageRequest, type Paginated, type Queryable, pageOf, paginated } from "@comptoir/platform";
import * as stock from "../db/stock.repo";
import { daysOfCover, roundCover, type StockStatus } from "../model/stock-status";
import { supplyStage } from "../model/supply-stage";
import { dataAgeSeconds } from "./progress.use-cases";

/*
 * The stock report (issue 20): levels per (variant, location) from inventory's events, goods on their way
 * from supply's, the selling pace from the sales read model; a status per row (model/stock-status.ts).
 */

type StockReportRow = reportingStockHttp.StockReportRow;

/** The streams the stock model reads. */
export const STOCK_STREAMS = ["inventory", "supply"] as const;

export interface StockReportDeps {
  db: Db;
  bus: EventBus;
  /** More days of cover than this is overstock (REPORTING_OVERSTOCK_DAYS). */
  overstockDays: number;
  /** The online channel's time zone (REPORTING_ONLINE_TIMEZONE): its 28 days of sales end on its today. */
  onlineTimeZone: string;
}

const stampOf = (event: Pick<EventEnvelope, "id" | "occurredAt">): stock.Stamp => ({
  at: event.occurredAt,
  eventId: event.id,
});

// ——— Events ———

/** inventory.stock.changed: the level after a movement, and the threshold at that moment. */
export async function applyStockChanged(tx: Queryable, event: EventEnvelope<"inventory.stock.changed">): Promise<void> {
  const d = event.data;
  await stock.upsertLevel(
    tx,
    {
      variantId: d.variantId,
      locationId: d.locationId,
      locationKind: d.locationKind,
      storeId: d.storeId,
      onHand: d.onHand,
      available: d.available,
      lowStockThreshold: d.lowStockThreshold,
    },
    stampOf(event),
  );
}

/**
 * inventory.alert.raised|resolved: what is available now and the threshold (a threshold change moves no
 * stock, so only an alert tells of it), with the SKU and product name. A raised alert carries the
 * threshold in force. A resolved one carries it too when available went back above it; when it was
 * resolved with available still at or under the threshold it carries, that threshold was removed.
 */
export async function applyAlert(
  tx: Queryable,
  event: EventEnvelope<"inventory.alert.raised" | "inventory.alert.resolved">,
): Promise<void> {
  const d = event.data;
  const removed = event.type === "inventory.alert.resolved" && d.available <= d.threshold;
  await stock.applyAlert(
    tx,
    {
      variantId: d.variantId,
      locationId: d.locationId,
      locationKind: d.locationKind,
      storeId: d.storeId,
      available: d.available,
      lowStockThreshold: removed ? null : d.threshold,
      sku: d.sku,
      productName: d.productName,
    },
    stampOf(event),
  );
}

type SupplyEvent = EventEnvelope<
  | "supply.request.created"
  | "supply.request.approved"
  | "supply.request.rejected"
  | "supply.request.completed"
  | "supply.request.failed"
>;

/** supply.request.*: the request's whole state, never taken back to an earlier stage. */
export async function applySupplyRequest(tx: Queryable, event: SupplyEvent): Promise<void> {
  const d = event.data;
  await stock.upsertSupplyRequest(
    tx,
    {
      requestId: d.requestId,
      storeId: d.storeId,
      locationId: d.locationId,
      status: d.status,
      stage: supplyStage(d.status),
      lines: d.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
    },
    stampOf(event),
  );
}

/** Clears the levels before `replay --from-start` delivers inventory's events again. */
export const resetLevels = (tx: Queryable): Promise<void> => stock.clearLevels(tx);

/** Clears the requests before `replay --from-start` delivers supply's events again. */
export const resetSupplyRequests = (tx: Queryable): Promise<void> => stock.clearSupplyRequests(tx);

// ——— The report ———

export interface StockReportFilter {
  /** One store's locations (the caller may read it: the route checked); null: every location. */
  storeId: string | null;
  status?: StockStatus | undefined;
}

const toRow = (r: stock.StockReportDbRow): StockReportRow => ({
  storeId: r.store_id,
  locationId: r.location_id,
  locationKind: r.location_kind,
  variantId: r.variant_id,
  productId: r.product_id,
  sku: r.sku,
  productName: r.product_name,
  onHand: r.on_hand,
  available: r.available,
  lowStockThreshold: r.low_stock_threshold,
  unitsSold28d: r.units_sold,
  daysOfCover: roundCover(daysOfCover(r.available, r.units_sold)),
  status: r.status,
  incoming: r.incoming,
  updatedAt: r.changed_at ? r.changed_at.toISOString() : null,
});

const dbFilterOf = (deps: StockReportDeps, filter: StockReportFilter): stock.StockReportFilter => ({
  storeId: filter.storeId,
  status: filter.status ?? null,
  overstockDays: deps.overstockDays,
  onlineTimeZone: deps.onlineTimeZone,
  now: new Date().toISOString(),
});

/** A page of the report. */
export async function stockReport(
  deps: StockReportDeps,
  filter: StockReportFilter,
  pageRequest: PageRequest,
): Promise<Paginated<StockReportRow>> {
  const window = pageOf(pageRequest);
  const { rows, total } = await stock.readStockReport(deps.db, dbFilterOf(deps, filter), window);
  return paginated(rows.map(toRow), window, total);
}

/** Every row of the report (an export), as one page. */
export async function wholeStockReport(
  deps: StockReportDeps,
  filter: StockReportFilter,
): Promise<Paginated<StockReportRow>> {
  const { rows, total } = await stock.readStockReport(deps.db, dbFilterOf(deps, filter));
  return paginated(rows.map(toRow), { page: 1, limit: total, offset: 0 }, total);
}

/**
 * How old the report's data may be, in whole seconds (the Reporting-Data-Age header): the older of the
 * sales model's age (the pace) and the stock model's: 0 when no inventory or supply event waits for the
 * group, else the time since the newest one applied happened; -1 when events wait and none was applied.
 */
export async function stockDataAgeSeconds(deps: StockReportDeps, now = Date.now()): Promise<number> {
  const [salesAge, lag, last] = await Promise.all([
    dataAgeSeconds(deps, now),
    deps.bus.transport.lag("reporting", STOCK_STREAMS),
    stock.newestEventAt(deps.db),
  ]);
  const waiting = Object.values(lag).reduce((a, b) => a + b, 0);
  const stockAge = waiting === 0 ? 0 : last ? Math.max(0, Math.ceil((now - last.getTime()) / 1000)) : -1;
  return salesAge === -1 || stockAge === -1 ? -1 : Math.max(salesAge, stockAge);
}
