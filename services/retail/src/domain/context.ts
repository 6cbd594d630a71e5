import type { Outbox } from "@comptoir/events";
import type { Db, Logger } from "@comptoir/platform";
import type { CatalogClient } from "../clients/catalog.client";
import type { InventoryClient } from "../clients/inventory.client";
import type { PaymentsClient } from "../clients/payments.client";
import type { Journal } from "../model/journal";
import type { PlaceCache } from "./places";

/** The stores' rules an operator sets (config.ts). */
export interface RetailSettings {
  currency: string;
  /** Above this percent of a line or of the basket, a discount needs sales:discount. */
  maxDiscountPercent: number;
  /** How long a sale call waits for its saga before answering 409 sale_in_progress. */
  saleWaitMs: number;
}

/** What retail's use cases work with, built by hand in app.ts. */
export interface RetailContext {
  db: Db;
  outbox: Outbox;
  logger: Logger;
  journal: Journal;
  catalog: CatalogClient;
  inventory: InventoryClient;
  payments: PaymentsClient;
  settings: RetailSettings;
  /** Registers and stores, briefly cached in this process (what every sale reads). */
  places: PlaceCache;
  /** The time now (tests move it: a session left open overnight). */
  now(): Date;
}
