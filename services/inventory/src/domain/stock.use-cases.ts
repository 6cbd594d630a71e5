import type { inventoryHttp } from "@comptoir/contracts/http";
import {
  type Answer,
  type IdempotentRequest,
  InvalidError,
  once,
  type Static,
  type Tx,
  withTx,
} from "@comptoir/platform";
import * as locationsRepo from "../db/locations.repo";
import * as stock from "../db/stock.repo";
import { type Actor, canAccess } from "../model/actor";
import {
  checkAdjustment,
  emptyLevel,
  type Level,
  type LevelView,
  type Movement,
  type ShortOfStock,
} from "../model/stock";
import { type PageRequest, type Paginated, pageOf, paginated } from "@comptoir/platform";
import {
  evaluateAlert,
  type InventoryDeps,
  recordMovement,
  requireLocation,
  requireVariant,
  translateShort,
} from "./ledger";

/** A manual movement (the endpoint's body). */
export type AdjustInput = Static<typeof inventoryHttp.adjustStock.body>;

/** The idempotency module's name for a stock adjustment. */
export const ADJUST_OPERATION = "inventory.stock.adjust";

export interface AdjustResult {
  movement: Movement;
  /** On hand after the movement (seed 001's name). */
  newStockQuantity: number;
  level: Level;
}

/** Seed 001's stock adjustment: one movement and its level, or 400 invalid type / insufficient stock, 404. */
export async function adjustStock(deps: InventoryDeps, actor: Actor, input: AdjustInput): Promise<AdjustResult> {
  const type = checkAdjustment(input.type, input.changeQuantity);
  return withTx(deps.db, (tx) => adjustIn(tx, deps, actor, input, type));
}

/**
 * The adjustment once per Idempotency-Key of `call` (the platform's `once`): the same key again
 * answers the first movement without a second one. A refusal (400, 404) moves nothing and leaves
 * the key free for the corrected request.
 */
export async function adjustStockOnce(
  deps: InventoryDeps,
  actor: Actor,
  input: AdjustInput,
  call: IdempotentRequest,
): Promise<Answer> {
  const type = checkAdjustment(input.type, input.changeQuantity);
  return once(deps.db, call, input, ({ tx }) => adjustIn(tx, deps, actor, input, type));
}

async function adjustIn(
  tx: Tx,
  deps: InventoryDeps,
  actor: Actor,
  input: AdjustInput,
  type: ReturnType<typeof checkAdjustment>,
): Promise<AdjustResult> {
  {
    const variant = await requireVariant(tx, input.variantId);
    const location = await requireLocation(tx, actor, input.locationId);
    try {
      const { movement, level } = await recordMovement(
        tx,
        deps.outbox,
        { variant, location },
        {
          type,
          quantity: input.changeQuantity,
          reason: input.reason ?? null,
          actorId: actor.userId,
          reference: input.reference ?? null,
        },
      );
      return { movement, newStockQuantity: level.onHand, level };
    } catch (error) {
      return translateShort(error, insufficientForAdjust);
    }
  }
}

const insufficientForAdjust = (short: ShortOfStock) =>
  new InvalidError(
    "insufficient_stock",
    `Only ${short.available} unit(s) available at this location; the change would take ${short.requested}.`,
    {
      errors: [{ in: "body", field: "changeQuantity", message: `exceeds the ${short.available} available` }],
      extensions: { available: short.available },
    },
  );

export interface StockQuery extends PageRequest {
  variantId?: string;
  locationId?: string;
}

export type StockView = LevelView;

/** One level when both ids are given (zeros if never stocked), a page of levels otherwise; clerks see their store only. */
export async function getStock(
  deps: InventoryDeps,
  actor: Actor,
  query: StockQuery,
): Promise<StockView | Paginated<StockView>> {
  if (query.locationId) await requireLocation(deps.db, actor, query.locationId);
  if (query.variantId && query.locationId) {
    const variant = await requireVariant(deps.db, query.variantId);
    const location = (await locationsRepo.findLocation(deps.db, query.locationId))!;
    const key = { variantId: variant.id, locationId: location.id };
    const level = (await stock.findLevel(deps.db, key)) ?? emptyLevel(key);
    return {
      variantId: level.variantId,
      locationId: level.locationId,
      onHand: level.onHand,
      reserved: level.reserved,
      available: level.available,
      lowStockThreshold: level.lowStockThreshold,
      sku: variant.sku,
      productName: variant.name,
      locationCode: location.code,
    };
  }
  if (query.variantId) await requireVariant(deps.db, query.variantId);
  const page = pageOf(query);
  const locationIds = await visibleLocations(deps, actor, query.locationId);
  const { rows, total } = await stock.listLevels(deps.db, { variantId: query.variantId, locationIds }, page);
  return paginated(rows, page, total);
}

/** The location filter a list query runs with: the one asked, else every location the actor may see. */
async function visibleLocations(deps: InventoryDeps, actor: Actor, locationId?: string) {
  if (locationId) return [locationId];
  if (actor.scope.all) return undefined;
  const all = await locationsRepo.listLocations(deps.db);
  return all.filter((l) => canAccess(actor.scope, l)).map((l) => l.id);
}

export interface MovementsQuery extends PageRequest {
  variantId?: string;
  locationId?: string;
  type?: string;
}

export async function listMovements(
  deps: InventoryDeps,
  actor: Actor,
  query: MovementsQuery,
): Promise<Paginated<Movement>> {
  if (query.locationId) await requireLocation(deps.db, actor, query.locationId);
  if (query.variantId) await requireVariant(deps.db, query.variantId);
  const page = pageOf(query);
  const locationIds = await visibleLocations(deps, actor, query.locationId);
  const { rows, total } = await stock.listMovements(
    deps.db,
    { variantId: query.variantId, locationIds, type: query.type },
    page,
  );
  return paginated(rows, page, total);
}

export interface ThresholdInput {
  variantId: string;
  locationId: string;
  /** null removes the threshold (and resolves an open alert). */
  threshold: number | null;
}

/** Sets the low-stock threshold of a level, raising or resolving its alert right away. */
export async function setThreshold(deps: InventoryDeps, actor: Actor, input: ThresholdInput): Promise<Level> {
  return withTx(deps.db, async (tx) => {
    const variant = await requireVariant(tx, input.variantId);
    const location = await requireLocation(tx, actor, input.locationId);
    const key = { variantId: variant.id, locationId: location.id };
    await stock.ensureLevels(tx, [key]);
    await stock.lockLevels(tx, [variant.id], [location.id]);
    const level = await stock.setThreshold(tx, key, input.threshold);
    await evaluateAlert(tx, deps.outbox, { variant, location }, level, true);
    return level;
  });
}

export interface AlertsQuery extends PageRequest {
  status?: "open" | "resolved";
  locationId?: string;
  variantId?: string;
}

export async function listAlerts(deps: InventoryDeps, actor: Actor, query: AlertsQuery) {
  if (query.locationId) await requireLocation(deps.db, actor, query.locationId);
  const page = pageOf(query);
  const locationIds = await visibleLocations(deps, actor, query.locationId);
  const { rows, total } = await stock.listAlerts(
    deps.db,
    { status: query.status, locationIds, variantId: query.variantId },
    page,
  );
  return paginated(rows, page, total);
}

export interface Drift extends stock.LevelAudit {
  problems: ("on_hand_differs_from_ledger" | "reserved_differs_from_reservations")[];
}

/**
 * Recomputes every level from the ledger (on hand = sum of movements) and from the active
 * reservations (reserved = sum of their lines), in one consistent snapshot; lists any that differ.
 */
export async function verifyLedger(deps: InventoryDeps): Promise<{ checked: number; drifted: Drift[] }> {
  const audit = await withTx(deps.db, (tx) => stock.auditLevels(tx), { isolation: "repeatable read" });
  const drifted: Drift[] = [];
  for (const row of audit) {
    const problems: Drift["problems"] = [];
    if (row.onHand !== row.ledgerOnHand) problems.push("on_hand_differs_from_ledger");
    if (row.reserved !== row.activeReserved) problems.push("reserved_differs_from_reservations");
    if (problems.length > 0) drifted.push({ ...row, problems });
  }
  return { checked: audit.length, drifted };
}
