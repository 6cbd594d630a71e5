import { InvalidError, type Tx, withTx } from "@comptoir/platform";
import * as locationsRepo from "../db/locations.repo";
import * as stock from "../db/stock.repo";
import {
  type Actor,
  evaluateAlert,
  type InventoryDeps,
  recordMovement,
  requireLocation,
  requireVariant,
  type ShortOfStock,
  translateShort,
} from "./ledger";
import { once } from "./idempotency";
import { canAccess } from "./locations";
import { checkAdjustment, type Level, type Movement } from "./movements";
import { type PageQuery, type Paginated, pageOf, paginated } from "./paging";

export interface AdjustInput {
  variantId: string;
  locationId: string;
  changeQuantity: number;
  type: string;
  reason?: string | null;
  reference?: string | null;
  /** The client's Idempotency-Key: the same key again returns the first answer, with no second movement. */
  idempotencyKey?: string | undefined;
}

/** Whose key an Idempotency-Key is when no user is behind the call. */
const SYSTEM_ACTOR = "00000000-0000-0000-0000-000000000000";

export interface AdjustResult {
  movement: Movement;
  /** On hand after the movement (seed 001's name). */
  newStockQuantity: number;
  level: Level;
}

/** Seed 001's stock adjustment: one movement and its level, or 400 invalid type / insufficient stock, 404. */
export async function adjustStock(deps: InventoryDeps, actor: Actor, input: AdjustInput): Promise<AdjustResult> {
  const type = checkAdjustment(input.type, input.changeQuantity);
  const { idempotencyKey, ...body } = input;
  // Keys are the caller's own: two users may pick the same one without meeting.
  const request = { actorId: actor.userId ?? SYSTEM_ACTOR, key: idempotencyKey, operation: "stock.adjust", body };
  return withTx(deps.db, (tx) => once(tx, request, () => adjustIn(tx, deps, actor, input, type)));
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

export interface StockQuery extends PageQuery {
  variantId?: string;
  locationId?: string;
}

export type StockView = stock.LevelView;

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
    const level = await stock.findLevel(deps.db, { variantId: variant.id, locationId: location.id });
    return {
      variantId: variant.id,
      locationId: location.id,
      onHand: level?.onHand ?? 0,
      reserved: level?.reserved ?? 0,
      available: level?.available ?? 0,
      lowStockThreshold: level?.lowStockThreshold ?? null,
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

export interface MovementsQuery extends PageQuery {
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

export interface AlertsQuery extends PageQuery {
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
