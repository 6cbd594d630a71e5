import type { Outbox } from "@comptoir/events";
import {
  ConflictError,
  NotFoundError,
  newId,
  type Paginated,
  PgCode,
  pageOf,
  paginated,
  pgConstraint,
  pgErrorCode,
  type Queryable,
  type Tx,
  withTx,
} from "@comptoir/platform";
import { refundsUnderWay, sessionSalesTotals } from "../db/sales.repo";
import * as sessions from "../db/sessions.repo";
import * as stores from "../db/stores.repo";
import { type Actor, assertStoreAccess, storeScopeOf } from "../model/access";
import {
  assertOpen,
  type CashMovement,
  type CashReason,
  type Counted,
  countedCashOf,
  flagAfterOf,
  isFlagged,
  registerNotOpen,
  type Session,
  type SessionReport,
  sessionReport,
} from "../model/session";
import type { Register, Store } from "../model/store";
import type { RetailContext } from "./context";
import { getRegister } from "./stores.use-cases";

export const sessionNotFound = (id: string) => new NotFoundError("session_not_found", `No session ${id}.`);

/** `flagged` as of the service's clock (the repository's is the database's). */
const flaggedNow = (ctx: Pick<RetailContext, "now">, s: Session): Session => ({
  ...s,
  flagged: isFlagged(s, ctx.now()),
});

/** Opens the register's session with its counted float; 409 session_already_open when one is open. */
export async function openSession(
  ctx: RetailContext,
  actor: Actor,
  registerId: string,
  input: { openingFloat: number },
): Promise<Session> {
  const register = await getRegister(ctx, actor, registerId);
  const store = (await stores.findStore(ctx.db, register.storeId))!;
  const openedAt = ctx.now();
  try {
    return await withTx(ctx.db, async (tx) => {
      const session = await sessions.insertSession(tx, {
        id: newId(),
        registerId,
        storeId: register.storeId,
        openedBy: actor.userId,
        openedAt,
        openingFloat: input.openingFloat,
        flagAfter: flagAfterOf(openedAt, store.openingHours, store.timezone),
      });
      await ctx.outbox.publish(tx, {
        type: "retail.register.opened",
        subject: registerId,
        data: sessionEventFields(ctx, store, register, session),
      });
      return flaggedNow(ctx, session);
    });
  } catch (error) {
    if (pgErrorCode(error) === PgCode.uniqueViolation && pgConstraint(error) === "sessions_one_open_per_register") {
      const open = await sessions.findOpenSession(ctx.db, registerId);
      throw new ConflictError("session_already_open", `Register ${registerId} already has an open session.`, {
        extensions: { sessionId: open?.id ?? null },
      });
    }
    throw error;
  }
}

/** Cash put into or taken out of the drawer of the register's open session (409 register_not_open). */
export async function addCashMovement(
  ctx: RetailContext,
  actor: Actor,
  registerId: string,
  input: { direction: "in" | "out"; amount: number; reason: CashReason; note?: string },
): Promise<CashMovement> {
  await getRegister(ctx, actor, registerId);
  return withTx(ctx.db, async (tx) => {
    const session = await sessions.lockOpenSession(tx, registerId);
    assertOpen(session, registerId);
    return sessions.insertCashMovement(tx, {
      id: newId(),
      sessionId: session!.id,
      registerId,
      direction: input.direction,
      amount: input.amount,
      reason: input.reason,
      note: input.note ?? null,
      createdBy: actor.userId,
      createdAt: ctx.now(),
    });
  });
}

/** The X report: the open session's running totals (409 register_not_open when the register is closed). */
export async function xReport(ctx: RetailContext, actor: Actor, registerId: string): Promise<SessionReport> {
  await getRegister(ctx, actor, registerId);
  return withTx(ctx.db, async (tx) => {
    const session = await sessions.lockOpenSession(tx, registerId);
    assertOpen(session, registerId);
    return reportOf(tx, session!, ctx.now());
  });
}

async function reportOf(tx: Queryable, session: Session, at: Date, closing?: { countedCash: number }) {
  // One after the other: a transaction's connection runs one statement at a time.
  const totals = await sessionSalesTotals(tx as Tx, session.id);
  const movements = await sessions.cashMovementTotals(tx, session.id);
  return sessionReport({ session, totals, movements, at, closing });
}

/**
 * Closes the register's session with the cash counted per denomination: the Z report (expected,
 * counted, variance), `retail.register.closed` and the journal's `session_close` entry, in one
 * transaction. The session is locked FOR UPDATE: the close waits for the sales in flight (which
 * hold it FOR SHARE) and no later sale enters it. 409 register_not_open (closing twice included).
 */
export async function closeSession(
  ctx: RetailContext,
  actor: Actor,
  registerId: string,
  input: { counted: Counted; note?: string },
): Promise<Session> {
  const register = await getRegister(ctx, actor, registerId);
  const countedCash = countedCashOf(input.counted);
  const store = (await stores.findStore(ctx.db, register.storeId))!;
  return withTx(ctx.db, async (tx) => {
    const open = await sessions.lockOpenSessionForClose(tx, registerId);
    if (!open) throw registerNotOpen(registerId);
    // The returns and voids that started in this session hold it FOR SHARE while they record
    // themselves: once this lock is ours, those still running are seen here.
    const underWay = await refundsUnderWay(tx, open.id);
    if (underWay > 0) {
      throw new ConflictError(
        "session_busy",
        `${underWay} return(s) or void(s) of this session are still under way; close the register once they are done.`,
        { extensions: { underWay }, headers: { "retry-after": "1" } },
      );
    }
    const at = ctx.now();
    const report = await reportOf(tx, open, at, { countedCash });
    const closed = await sessions.closeSession(tx, open.id, {
      closedBy: actor.userId,
      closedAt: at,
      counted: input.counted,
      report,
      note: input.note ?? null,
    });
    await ctx.journal.append(tx, {
      storeId: store.id,
      kind: "session_close",
      documentId: closed.id,
      documentNumber: closed.id,
      occurredAt: at,
      amount: 0,
      vat: [],
      payload: { registerId, registerCode: register.code, closedBy: actor.userId, zReport: report },
    });
    const session = flaggedNow(ctx, closed);
    await publishClosed(tx, ctx.outbox, { ctx, store, register, session, report });
    return session;
  });
}

function sessionEventFields(ctx: Pick<RetailContext, "settings">, store: Store, register: Register, s: Session) {
  return {
    store: { id: store.id, code: store.code, name: store.name, timezone: store.timezone },
    channel: "store" as const,
    register: { id: register.id, code: register.code, name: register.name },
    sessionId: s.id,
    currency: ctx.settings.currency,
    openingFloat: s.openingFloat,
    openedBy: s.openedBy,
    openedAt: s.openedAt,
  };
}

async function publishClosed(
  tx: Queryable,
  outbox: Outbox,
  c: { ctx: RetailContext; store: Store; register: Register; session: Session; report: SessionReport },
): Promise<void> {
  const { report: r, session: s } = c;
  await outbox.publish(tx, {
    type: "retail.register.closed",
    subject: c.register.id,
    data: {
      ...sessionEventFields(c.ctx, c.store, c.register, s),
      closedBy: s.closedBy!,
      closedAt: s.closedAt!,
      flagged: s.flagged,
      salesCount: r.salesCount,
      salesTotal: r.salesTotal,
      discountTotal: r.discountTotal,
      byTender: r.byTender,
      byVatRate: r.byVatRate,
      returnsCount: r.returnsCount,
      returnsTotal: r.returnsTotal,
      voidsCount: r.voidsCount,
      voidsTotal: r.voidsTotal,
      cashIn: r.cashMovements.in,
      cashOut: r.cashMovements.out,
      cashTaken: r.cashTaken,
      changeGiven: r.changeGiven,
      cashRefunds: r.cashRefunds,
      expectedCash: r.expectedCash,
      countedCash: r.countedCash!,
      variance: r.variance!,
    },
  });
}

/** A session of the actor's store (another store's is a 404). */
export async function getSession(ctx: Pick<RetailContext, "db" | "now">, actor: Actor, id: string): Promise<Session> {
  const session = await sessions.findSession(ctx.db, id);
  if (!session) throw sessionNotFound(id);
  assertStoreAccess(actor, session.storeId, () => sessionNotFound(id));
  return flaggedNow(ctx, session);
}

export interface SessionQuery {
  storeId?: string;
  registerId?: string;
  cashierId?: string;
  status?: "open" | "closed";
  from?: string;
  to?: string;
  flagged?: boolean;
  page?: number;
  limit?: number;
}

/** Sessions, newest first: every store's for an admin, their own store's for staff (whatever `storeId` says). */
export async function listSessions(
  ctx: Pick<RetailContext, "db" | "now">,
  actor: Actor,
  query: SessionQuery,
): Promise<Paginated<Session>> {
  const { page, limit, storeId, ...filter } = query;
  const window = pageOf({ page, limit });
  const scope = storeScopeOf(actor);
  // Staff asking for another store's sessions see none; unattached staff (storeId null) none either.
  if (!scope.all && storeId !== undefined && storeId !== scope.storeId) return paginated([], window, 0);
  const scopedStore = scope.all ? storeId : scope.storeId;
  const { rows, total } = await sessions.listSessions(ctx.db, { ...filter, storeId: scopedStore }, ctx.now(), window);
  return paginated(rows, window, total);
}
