import {
  type ApplyEvent,
  type EventBus,
  ReadModelRebuilder,
  readModelFreshness,
  type StreamFreshness,
} from "@comptoir/events";
import type { Db, Logger } from "@comptoir/platform";
import * as rebuild from "../db/rebuild.repo";
import * as categories from "./categories.use-cases";
import * as products from "./products.use-cases";

/*
 * `comptoir search rebuild`: replays catalog's and inventory's events from the first into copies of the
 * read model's tables, then swaps them in and catches up on what arrived during the swap (the event
 * backbone's ReadModelRebuilder). Every write of the read model is guarded by the event's instant, so an
 * event applied twice (live, then by the catch-up) changes nothing the second time.
 */

export const STREAMS = ["catalog", "inventory"] as const;

/** The same use cases as the live handlers (events/*.handlers.ts), by event type. */
const APPLY: Record<string, ApplyEvent> = {
  "catalog.category.created": (tx, e) => categories.applyCategoryChanged(tx, e as never),
  "catalog.category.updated": (tx, e) => categories.applyCategoryChanged(tx, e as never),
  "catalog.category.deleted": (tx, e) => categories.applyCategoryDeleted(tx, e.data as never),
  "catalog.product.created": (tx, e) => products.applyProductChanged(tx, e as never),
  "catalog.product.updated": (tx, e) => products.applyProductChanged(tx, e as never),
  "catalog.product.archived": (tx, e) => products.applyProductArchived(tx, e as never),
  "catalog.variant.created": (tx, e) => products.applyVariantCreated(tx, e as never),
  "catalog.variant.price_changed": (tx, e) => products.applyPriceChanged(tx, e as never),
  "inventory.stock.changed": (tx, e) => products.applyStockChanged(tx, e as never),
};

export type { RebuildPhase, RebuildState, StreamFreshness } from "@comptoir/events";

export interface RebuildDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
}

/** One rebuild at a time; its progress for `GET /admin/rebuild`. */
export function searchRebuilder(deps: RebuildDeps): ReadModelRebuilder {
  return new ReadModelRebuilder({
    service: "search",
    ...deps,
    streams: STREAMS,
    apply: APPLY,
    tables: rebuild.readModelTables,
  });
}

/** How far behind catalog's and inventory's streams the live read model is. */
export function freshness(deps: { db: Db; bus: EventBus }): Promise<StreamFreshness[]> {
  return readModelFreshness(deps.bus, "search", STREAMS, () => rebuild.lastAppliedAt(deps.db));
}
