import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ConflictError,
  fingerprint,
  IdempotencyKeyReusedError,
  InvalidError,
  newId,
  NotFoundError,
  type PageWindow,
  paginated,
  problemError,
  type Tx,
  withTx,
} from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import * as returnsRepo from "../db/returns.repo";
import * as repo from "../db/sales.repo";
import { lockOpenSession } from "../db/sessions.repo";
import { findRegister, findStore } from "../db/stores.repo";
import { type Actor, assertStoreAccess, storeScopeOf } from "../model/access";
import { allocateRefund, priceReturn, type Refund, type ReturnLine, returnVat } from "../model/return";
import { keptByTender } from "../model/sale";
import { receiptHtml } from "../receipts/receipt.html";
import { returnReceipt } from "../receipts/receipt";
import type { retailHttp } from "@comptoir/contracts/http";
import type { RetailContext } from "./context";
import { RETURN, type RefundInput, VOID } from "./sale.saga";
import { eventPlace, getSale, placeOf, registerNotFound, resolveVariants } from "./sales.use-cases";

export interface ReturnsDeps {
  ctx: RetailContext;
  sagas: SagaRunner;
  fingerprintKey: () => Promise<Buffer>;
}

const returnNotFound = (id: string) => new NotFoundError("return_not_found", `There is no return ${id}.`);
const registerNotOpen = (id: string) => new ConflictError("register_not_open", `Register ${id} has no open session.`);

/** A store credit's code: 12 characters a person can read out (no 0/O, 1/I). */
function newCreditCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return `AV-${[...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join("")}`;
}

type Started = { requestId: string; started: Awaited<ReturnType<SagaRunner["start"]>> | undefined };

/** Records the request (and whatever `record` writes) and starts its saga, or finds the request of this key. */
async function startOnce(
  deps: ReturnsDeps,
  kind: "return" | "void",
  actor: Actor,
  key: string,
  fp: string,
  documentId: string,
  record: (tx: Tx, requestId: string) => Promise<RefundInput>,
): Promise<Started> {
  const requestId = newId();
  const started = await withTx(deps.ctx.db, async (tx) => {
    if (
      !(await repo.insertRequest(tx, { id: requestId, kind, scope: actor.userId, key, fingerprint: fp, documentId }))
    ) {
      return undefined;
    }
    const input = await record(tx, requestId);
    return deps.sagas.start(tx, kind === "return" ? RETURN : VOID, requestId, input);
  });
  return { requestId, started };
}

async function existingRequest(deps: ReturnsDeps, kind: "return" | "void", actor: Actor, key: string, fp: string) {
  const row = await repo.findRequestByKey(deps.ctx.db, kind, actor.userId, key);
  if (row && row.fingerprint !== fp) {
    throw new IdempotencyKeyReusedError("This Idempotency-Key was used for another request; use a new key.");
  }
  return row;
}

/** Waits for a return's or a void's saga to end (at most saleWaitMs), then answers what it made. */
async function outcome<T>(
  deps: ReturnsDeps,
  requestId: string,
  answer: (documentId: string) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + deps.ctx.settings.saleWaitMs;
  for (;;) {
    const row = (await repo.findRequest(deps.ctx.db, requestId))!;
    if (row.status === "completed") return answer(row.documentId);
    if (row.status === "failed") throw problemError(row.problem!);
    if (Date.now() >= deadline) {
      throw new ConflictError(
        "sale_in_progress",
        "This request is still being processed; send it again with the same Idempotency-Key for its outcome.",
        { headers: { "retry-after": "1" } },
      );
    }
    await sleep(50);
    await deps.sagas.execute(requestId, { dueOnly: true });
  }
}

async function run<T>(
  deps: ReturnsDeps,
  s: Started,
  key: () => Promise<repo.RetailRequest | undefined>,
  answer: (id: string) => Promise<T>,
) {
  if (!s.started) return outcome(deps, (await key())!.id, answer);
  await deps.sagas.execute(s.started);
  return outcome(deps, s.requestId, answer);
}

async function returnAnswer(deps: ReturnsDeps, id: string) {
  const ret = (await returnsRepo.findReturn(deps.ctx.db, id))!;
  const { reprints: _r, ...view } = ret;
  return view;
}

/**
 * `POST /sales/:id/returns`: what was sold and not yet returned comes back (409 return_exceeds_sold
 * with the remaining quantities), refunded by the sale's own tenders (cards first, through payments;
 * then store credit, then cash), its stock back at the store's location.
 */
export async function returnWithReceipt(
  deps: ReturnsDeps,
  actor: Actor,
  saleId: string,
  key: string,
  body: retailHttp.ReturnRequest,
) {
  const { ctx } = deps;
  const fp = fingerprint({ saleId, ...body }, await deps.fingerprintKey());
  const existing = await existingRequest(deps, "return", actor, key, fp);
  if (existing) return outcome(deps, existing.id, (id) => returnAnswer(deps, id));
  const sale = await getSale(ctx, actor, saleId);
  const { register, place } = await placeOf(ctx, actor, body.registerId);
  if (register.storeId !== sale.storeId) {
    throw new ConflictError("return_at_another_store", "A sale is returned at the store it was made in.");
  }
  const id = newId();
  const s = await startOnce(deps, "return", actor, key, fp, id, async (tx) => {
    const session = await lockOpenSession(tx, body.registerId);
    if (!session) throw registerNotOpen(body.registerId);
    const locked = (await repo.lockSale(tx, saleId))!;
    if (locked.status === "voided" || (await repo.voidRequestOf(tx, saleId))) {
      throw new ConflictError("sale_voided", `Sale ${locked.receiptNumber} was voided: nothing is left to return.`);
    }
    const before = await returnsRepo.returnsOfSale(tx, saleId);
    const lines = priceReturn(locked.lines, before.lines, body.lines);
    const total = lines.reduce((a, l) => a + l.lineTotal, 0);
    const refunds = allocateRefund(total, keptByTender(locked.tenders, locked.change), before.refunds);
    await returnsRepo.insertReturn(tx, {
      id,
      saleId,
      storeId: sale.storeId,
      registerId: body.registerId,
      sessionId: session.id,
      cashierId: actor.userId,
      currency: locked.currency,
      lines,
      total,
      vat: returnVat(lines),
      refunds,
      refundMethod: null,
      reason: body.reason ?? null,
    });
    return { id, saleId, place, cashierId: actor.userId, lines, refunds, reason: body.reason ?? null };
  });
  return run(
    deps,
    s,
    () => repo.findRequestByKey(ctx.db, "return", actor.userId, key),
    (id) => returnAnswer(deps, id),
  );
}

/**
 * `POST /returns` (sales:return-unreceipted): goods back without a receipt, priced at catalog's
 * current price, refunded in cash or as a store credit (a code usable as a sale's tender).
 */
export async function returnWithoutReceipt(
  deps: ReturnsDeps,
  actor: Actor,
  key: string,
  body: retailHttp.UnreceiptedReturnRequest,
) {
  const { ctx } = deps;
  const fp = fingerprint(body, await deps.fingerprintKey());
  const existing = await existingRequest(deps, "return", actor, key, fp);
  if (existing) return outcome(deps, existing.id, (id) => returnAnswer(deps, id));
  const { store, place } = await placeOf(ctx, actor, body.registerId);
  const variants = await resolveVariants(ctx, body.lines);
  const lines: ReturnLine[] = body.lines.map((l, i) => {
    const v = variants[i]!;
    return {
      variantId: v.id,
      productId: v.productId,
      sku: v.sku,
      name: v.productName,
      quantity: l.quantity,
      unitPrice: v.price,
      vatRate: v.vatRate,
      lineTotal: v.price * l.quantity,
    };
  });
  const total = lines.reduce((a, l) => a + l.lineTotal, 0);
  if (total === 0)
    throw new InvalidError("nothing_to_refund", "These items are worth nothing: there is nothing to refund.");
  const code = body.refundMethod === "store_credit" ? newCreditCode() : undefined;
  const refunds: Refund[] = [{ method: body.refundMethod, amount: total, ...(code ? { code } : {}) }];
  const id = newId();
  const s = await startOnce(deps, "return", actor, key, fp, id, async (tx) => {
    const session = await lockOpenSession(tx, body.registerId);
    if (!session) throw registerNotOpen(body.registerId);
    await returnsRepo.insertReturn(tx, {
      id,
      saleId: null,
      storeId: store.id,
      registerId: body.registerId,
      sessionId: session.id,
      cashierId: actor.userId,
      currency: ctx.settings.currency,
      lines,
      total,
      vat: returnVat(lines),
      refunds,
      refundMethod: body.refundMethod,
      reason: body.reason,
    });
    return {
      id,
      saleId: null,
      place,
      cashierId: actor.userId,
      lines,
      refunds,
      reason: body.reason,
      ...(code ? { storeCreditCode: code } : {}),
    };
  });
  return run(
    deps,
    s,
    () => repo.findRequestByKey(ctx.db, "return", actor.userId, key),
    (id) => returnAnswer(deps, id),
  );
}

/**
 * `POST /sales/:id/void`: the whole sale undone while its session is still open and nothing of it
 * was returned (409 sale_not_voidable otherwise): every tender given back, the stock back.
 */
export async function voidSale(deps: ReturnsDeps, actor: Actor, saleId: string, key: string, reason: string) {
  const { ctx } = deps;
  const fp = fingerprint({ saleId, reason }, await deps.fingerprintKey());
  const existing = await existingRequest(deps, "void", actor, key, fp);
  if (existing) return outcome(deps, existing.id, (id) => getSale(ctx, actor, id));
  const sale = await getSale(ctx, actor, saleId);
  const register = await findRegister(ctx.db, sale.registerId);
  if (!register) throw registerNotFound(sale.registerId);
  const store = (await findStore(ctx.db, sale.storeId))!;
  const s = await startOnce(deps, "void", actor, key, fp, saleId, async (tx, requestId) => {
    const locked = (await repo.lockSale(tx, saleId))!;
    const session = await lockOpenSession(tx, locked.registerId);
    const notVoidable = (why: string) =>
      new ConflictError("sale_not_voidable", `Sale ${locked.receiptNumber} cannot be voided: ${why}.`);
    if (locked.status !== "completed") throw notVoidable("it is already voided");
    if (!session || session.id !== locked.sessionId) throw notVoidable("its session is closed (make a return instead)");
    if ((await returnsRepo.returnsOfSale(tx, saleId)).lines.length > 0) throw notVoidable("some of it was returned");
    if (await repo.voidRequestOf(tx, saleId, requestId)) throw notVoidable("a void of it is under way");
    const kept = keptByTender(locked.tenders, locked.change).filter((t) => t.amount > 0);
    const refunds: Refund[] = kept.map((t) => ({
      method: t.method,
      amount: t.amount,
      ...(t.paymentId ? { paymentId: t.paymentId } : {}),
      ...(t.code ? { code: t.code } : {}),
    }));
    return {
      id: saleId,
      saleId,
      place: eventPlace(store, register),
      cashierId: actor.userId,
      lines: locked.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })),
      refunds,
      reason,
      voidReason: reason,
    };
  });
  return run(
    deps,
    s,
    () => repo.findRequestByKey(ctx.db, "void", actor.userId, key),
    (id) => getSale(ctx, actor, id),
  );
}

export async function getReturn(ctx: RetailContext, actor: Actor, id: string) {
  const ret = await returnsRepo.findReturn(ctx.db, id);
  if (!ret || ret.status !== "completed") throw returnNotFound(id);
  assertStoreAccess(actor, ret.storeId, () => returnNotFound(id));
  const { reprints: _r, ...view } = ret;
  return view;
}

export async function listReturns(
  ctx: RetailContext,
  actor: Actor,
  query: Omit<retailHttp.ReturnQuery, "page" | "limit">,
  window: PageWindow,
) {
  const scope = storeScopeOf(actor);
  if (!scope.all && !scope.storeId) return paginated([], window, 0);
  const { rows, total } = await returnsRepo.listReturns(
    ctx.db,
    { ...query, onlyStoreId: scope.all ? undefined : scope.storeId! },
    window,
  );
  return paginated(
    rows.map(({ reprints: _r, ...view }) => view),
    window,
    total,
  );
}

/** A return's receipt: every call is a reprint (the 201 was its original), journaled. */
export async function reprintReturn(ctx: RetailContext, actor: Actor, id: string, format: "json" | "html") {
  const ret = await getReturn(ctx, actor, id);
  const receipt = await withTx(ctx.db, async (tx) => {
    const reprint = await repo.countReprint(tx, "returns", id);
    const store = (await findStore(tx, ret.storeId))!;
    const original = ret.saleId ? ((await repo.findSale(tx, ret.saleId))?.receiptNumber ?? null) : null;
    await ctx.journal.append(tx, {
      storeId: ret.storeId,
      kind: "reprint",
      documentId: ret.id,
      documentNumber: ret.receiptNumber!,
      occurredAt: ctx.now(),
      amount: 0,
      vat: [],
      payload: { documentKind: "return", reprint, by: actor.userId },
    });
    return returnReceipt(ret, store, reprint, original);
  });
  return format === "html" ? receiptHtml(receipt) : receipt;
}
