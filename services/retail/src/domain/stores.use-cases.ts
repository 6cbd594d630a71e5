import type { retailHttp } from "@comptoir/contracts/http";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  newId,
  type Paginated,
  PgCode,
  pageOf,
  paginated,
  pgConstraint,
  pgErrorCode,
  withTx,
} from "@comptoir/platform";
import * as sessionsRepo from "../db/sessions.repo";
import * as repo from "../db/stores.repo";
import { type Actor, assertStoreAccess, storeScopeOf } from "../model/access";
import { isFlagged, type Session } from "../model/session";
import { assertValidStoreFields, type Register, type Store } from "../model/store";
import type { RetailContext } from "./context";
import { publishStore } from "./retail.events";

export const storeNotFound = (id: string) => new NotFoundError("store_not_found", `No store ${id}.`);
export const registerNotFound = (id: string) => new NotFoundError("register_not_found", `No register ${id}.`);

export type CreateStoreInput = retailHttp.CreateStoreRequest;

const codeTaken = (code: string) =>
  new ConflictError("store_code_taken", `Another store already uses the code "${code}".`, {
    errors: [{ in: "body", field: "code", message: "is already used by another store" }],
  });

/**
 * A new store and its stock location: the location is created at inventory first (idempotent on its
 * id), then the store row that points at it, with `retail.store.created` in the same transaction.
 * 409 store_code_taken when a store (or a location) has the code.
 */
export async function createStore(ctx: RetailContext, input: CreateStoreInput): Promise<Store> {
  assertValidStoreFields(input);
  if (await repo.findStoreByCode(ctx.db, input.code)) throw codeTaken(input.code);
  const id = newId();
  const location = await ctx.inventory.createLocation({
    id: newId(),
    code: input.code,
    name: input.name.trim(),
    storeId: id,
  });
  try {
    return await withTx(ctx.db, async (tx) => {
      const store = (await repo.insertStore(tx, {
        id,
        code: input.code,
        name: input.name.trim(),
        address: input.address,
        phone: input.phone,
        email: input.email,
        managerId: input.managerId ?? null,
        openingHours: input.openingHours,
        timezone: input.timezone,
        locationId: location.id,
      }))!;
      await publishStore(tx, ctx.outbox, "created", store);
      return store;
    });
  } catch (error) {
    if (pgErrorCode(error) === PgCode.uniqueViolation && pgConstraint(error) === "stores_code_key") {
      throw codeTaken(input.code);
    }
    throw error;
  }
}

/** A store the actor may see (another store's is a 404). */
export async function getStore(ctx: Pick<RetailContext, "db">, actor: Actor, id: string): Promise<Store> {
  const store = await repo.findStore(ctx.db, id);
  if (!store) throw storeNotFound(id);
  assertStoreAccess(actor, store.id, () => storeNotFound(id));
  return store;
}

export async function listStores(
  ctx: Pick<RetailContext, "db">,
  actor: Actor,
  query: { q?: string; page?: number; limit?: number },
): Promise<Paginated<Store>> {
  const window = pageOf(query);
  const scope = storeScopeOf(actor);
  const { rows, total } = await repo.listStores(
    ctx.db,
    { storeId: scope.all ? undefined : scope.storeId, q: query.q },
    window,
  );
  return paginated(rows, window, total);
}

/** Every store, by code, with only what the public may read (no manager, no e-mail). */
export async function storeDirectory(ctx: Pick<RetailContext, "db">): Promise<retailHttp.PublicStore[]> {
  const stores = await repo.allStores(ctx.db);
  return stores.map(({ id, code, name, address, phone, openingHours, timezone, locationId }) => ({
    id,
    code,
    name,
    address,
    phone,
    openingHours,
    timezone,
    locationId,
  }));
}

export type UpdateStoreInput = repo.StoreChanges;

/** Changes the store, with `retail.store.updated` (its whole new state) in the same transaction. */
export async function updateStore(
  ctx: RetailContext,
  actor: Actor,
  id: string,
  changes: UpdateStoreInput,
): Promise<Store> {
  await getStore(ctx, actor, id);
  assertValidStoreFields(changes);
  const updated = await withTx(ctx.db, async (tx) => {
    const store = await repo.updateStore(tx, id, {
      ...changes,
      ...(changes.name === undefined ? {} : { name: changes.name.trim() }),
    });
    if (store) await publishStore(tx, ctx.outbox, "updated", store);
    return store;
  });
  ctx.places.forgetStore(id);
  if (!updated) throw storeNotFound(id);
  return updated;
}

/** Admins (stores:manage) add registers anywhere; a manager in their own store only. */
export async function createRegister(
  ctx: RetailContext,
  actor: Actor,
  storeId: string,
  input: { code: string; name: string },
): Promise<Register> {
  await getStore(ctx, actor, storeId);
  if (!actor.permissions.includes("stores:manage") && actor.role !== "manager") {
    throw new ForbiddenError("Only the store's manager or an admin adds registers.");
  }
  try {
    return (await repo.insertRegister(ctx.db, { id: newId(), storeId, code: input.code, name: input.name.trim() }))!;
  } catch (error) {
    if (pgErrorCode(error) === PgCode.uniqueViolation) {
      throw new ConflictError("register_code_taken", `The store already has a register "${input.code}".`, {
        errors: [{ in: "body", field: "code", message: "is already used by another register of the store" }],
      });
    }
    throw error;
  }
}

export async function listRegisters(
  ctx: Pick<RetailContext, "db">,
  actor: Actor,
  storeId: string,
  query: { page?: number; limit?: number },
): Promise<Paginated<Register>> {
  await getStore(ctx, actor, storeId);
  const window = pageOf(query);
  const { rows, total } = await repo.listRegisters(ctx.db, storeId, window);
  return paginated(rows, window, total);
}

/** A register of the actor's store (another store's is a 404 register_not_found). */
export async function getRegister(ctx: Pick<RetailContext, "db">, actor: Actor, id: string): Promise<Register> {
  const register = await repo.findRegister(ctx.db, id);
  if (!register) throw registerNotFound(id);
  assertStoreAccess(actor, register.storeId, () => registerNotFound(id));
  return register;
}

/** The register with its open session (null when closed). */
export async function getRegisterView(
  ctx: Pick<RetailContext, "db" | "now">,
  actor: Actor,
  id: string,
): Promise<Register & { currentSession: Session | null }> {
  const register = await getRegister(ctx, actor, id);
  const open = await sessionsRepo.findOpenSession(ctx.db, id);
  return { ...register, currentSession: open ? { ...open, flagged: isFlagged(open, ctx.now()) } : null };
}
