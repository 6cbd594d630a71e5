import type { VatLine } from "@comptoir/contracts";
import type { paymentsHttp } from "@comptoir/contracts/http";
import { type Tx, withTx } from "@comptoir/platform";
import { type SagaDefinition, type SagaStep, StepRefused } from "@comptoir/sagas";
import * as returnsRepo from "../db/returns.repo";
import * as repo from "../db/sales.repo";
import type { Refund } from "../model/return";
import {
  type Discount,
  type Pricing,
  problemOf,
  type RecordedTender,
  receiptNumberOf,
  receiptPrefixOf,
} from "../model/sale";

import type { RetailContext } from "./context";
import { type EventPlace, publishSaleCompleted, publishSaleReturned, publishSaleVoided } from "./retail.events";

export const SALE = "sale";
/** A sale with no card tender (cash, store credit): nothing to hold its stock for while cards are charged. */
export const SALE_WITHOUT_CARD = "sale-without-card";
export const RETURN = "sale-return";
export const VOID = "sale-void";

/** The cards of sales under way, by tender index, in this process's memory only (never written to retail's database). */
export type CardVault = Map<string, paymentsHttp.Card[]>;

/** What a sale's saga carries (persisted with it: never a card number). */
export interface SaleInput {
  saleId: string;
  place: EventPlace;
  sessionId: string;
  cashierId: string;
  currency: string;
  pricing: Pricing;
  discount: Discount | null;
  /** As handed over; a card by its last four digits (its number is in the vault). */
  tenders: RecordedTender[];
  cashTendered: number;
  change: number;
}

interface Reserved {
  reservationId: string;
  allocation: { variantId: string; locationId: string; quantity: number }[];
}
interface Charged {
  /** The payment of each card tender, by the tender's index. */
  payments: { index: number; paymentId: string }[];
}

/** What a return's (or a void's) saga carries. */
export interface RefundInput {
  /** The return's id, or the void's request id. */
  id: string;
  saleId: string | null;
  place: EventPlace;
  cashierId: string;
  lines: { variantId: string; quantity: number }[];
  refunds: Refund[];
  reason: string | null;
  /** Return without receipt refunded as store credit: the credit's code. */
  storeCreditCode?: string;
  /** A void: the void's reason. */
  voidReason?: string;
}

const ITEMS = (input: SaleInput) => input.pricing.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity }));

/** Which saga carries a sale out: the cards' steps only when it has a card tender. */
export const saleKindOf = (tenders: readonly Pick<RecordedTender, "method">[]) =>
  tenders.some((t) => t.method === "card") ? SALE : SALE_WITHOUT_CARD;

/**
 * Till sales (issue 18). With a card: reserve at the store's location → charge the cards
 * (card-present, captured) → commit the reservation (the pivot) → complete (one transaction: the
 * receipt number, the sale, its journal entry and its event). Without one (cash, store credit) there
 * is nothing to hold the stock for: take it (reserved and committed in one inventory call and
 * transaction, the pivot) → complete. A refusal anywhere compensates what ran, in reverse: restock,
 * refund, release — no sale, no journal entry, and stock back where it was.
 */
function saleSagasOf(ctx: RetailContext, cards: CardVault): SagaDefinition<SaleInput>[] {
  const restockSale = async (input: SaleInput, output: unknown) => {
    for (const [i, line] of (output as Reserved).allocation.entries()) {
      await ctx.inventory.restock(line, `sale-${input.saleId}-undo-${i}`, "till sale failed after its stock left");
    }
  };
  const steps: Record<"take" | "reserve" | "charge" | "commit" | "complete", SagaStep<SaleInput>> = {
    take: {
      name: "take",
      pivot: true,
      // Not saved on its own (the completion's save carries it): run again after a crash, it answers the same.
      checkpoint: false,
      async run(input): Promise<Reserved> {
        const reservation = await ctx.inventory.take({
          reference: `sale-${input.saleId}`,
          items: ITEMS(input),
          ttlSeconds: 120,
          locationId: input.place.store.locationId,
        });
        if (reservation.status !== "committed") {
          throw new StepRefused(`The stock held for this sale was ${reservation.status}.`, "reservation_expired");
        }
        return { reservationId: reservation.id, allocation: reservation.lines };
      },
      compensate: restockSale,
    },
    reserve: {
      name: "reserve",
      async run(input): Promise<Reserved> {
        const reservation = await ctx.inventory.reserve({
          reference: `sale-${input.saleId}`,
          items: ITEMS(input),
          ttlSeconds: 120,
          locationId: input.place.store.locationId,
        });
        if (reservation.status === "expired" || reservation.status === "released") {
          throw new StepRefused(`The stock held for this sale was ${reservation.status}.`, "reservation_expired");
        }
        return { reservationId: reservation.id, allocation: reservation.lines };
      },
      async compensate(_input, output) {
        await ctx.inventory.release((output as Reserved).reservationId);
      },
    },
    charge: {
      name: "charge",
      async run(input): Promise<Charged> {
        const cardTenders = input.tenders.map((t, index) => ({ t, index })).filter((x) => x.t.method === "card");
        if (cardTenders.length === 0) return { payments: [] };
        const vault = cards.get(input.saleId);
        const done: Charged["payments"] = [];
        const undo = async (why: string) => {
          for (const p of done) {
            await ctx.payments.refund({
              key: `sale-${input.saleId}-card-${p.index}-undo`,
              paymentId: p.paymentId,
              reason: why,
            });
          }
        };
        if (!vault) {
          // Resumed without the cards (another process, after a crash): what did payments do?
          const found = await ctx.payments.ofSale(input.saleId);
          const usable = found.filter((p) => p.status === "captured");
          // Each card tender gets the payment of its own amount (payments lists newest first: by
          // position the tenders of a split would get each other's payments, and their refunds
          // would then be asked of the wrong payment).
          const left = [...usable];
          const matched = cardTenders.map((c) => {
            const at = left.findLastIndex((p) => p.amount === c.t.amount);
            return at < 0 ? undefined : { index: c.index, paymentId: left.splice(at, 1)[0]!.id };
          });
          if (usable.length === cardTenders.length && matched.every((m) => m !== undefined)) {
            return { payments: matched as Charged["payments"] };
          }
          for (const p of usable) {
            await ctx.payments.refund({
              key: `sale-${input.saleId}-orphan-${p.id}`,
              paymentId: p.id,
              reason: "sale interrupted",
            });
          }
          throw new StepRefused(
            "The sale was interrupted before its cards were charged; nothing was kept. Please ring it up again.",
            "sale_interrupted",
          );
        }
        for (const { t, index } of cardTenders) {
          try {
            const payment = await ctx.payments.charge({
              key: `sale-${input.saleId}-card-${index}`,
              saleId: input.saleId,
              amount: t.amount,
              currency: input.currency,
              card: vault[index]!,
            });
            if (payment.status !== "captured") {
              throw new StepRefused("The card payment was not taken.", payment.failureCode ?? "payment_failed");
            }
            done.push({ index, paymentId: payment.id });
          } catch (error) {
            if (error instanceof StepRefused) await undo("another tender of the sale was refused");
            throw error;
          }
        }
        return { payments: done };
      },
      async compensate(input, output) {
        for (const p of (output as Charged).payments) {
          await ctx.payments.refund({
            key: `sale-${input.saleId}-card-${p.index}-undo`,
            paymentId: p.paymentId,
            reason: "The sale could not be completed.",
          });
        }
      },
    },
    commit: {
      name: "commit",
      pivot: true,
      async run(_input, outputs) {
        const reserved = outputs.reserve as Reserved;
        await ctx.inventory.commit(reserved.reservationId);
        return reserved;
      },
      compensate: restockSale,
    },
    complete: {
      name: "complete",
      // Recorded in the transaction that marks the saga completed: the sale and its saga's end commit together.
      inCompletion: true,
      run: (input, outputs, inTx) =>
        inTx ? complete(inTx, input, outputs) : withTx(ctx.db, (tx) => complete(tx, input, outputs)),
    },
  };
  /**
   * One transaction: the receipt number, the sale, its journal entry and its event; the sale is the
   * step's output (the call that rang it up answers it without reading it back).
   */
  async function complete(tx: Tx, input: SaleInput, outputs: Readonly<Record<string, unknown>>) {
    // (A sale without a card has no charge step.)
    const payments = (outputs.charge as Charged | undefined)?.payments ?? [];
    const now = await repo.saleDoneAndLockSession(tx, input.saleId, input.place.register.id);
    if (now.done) return null; // done before a crash
    if (now.openSessionId !== input.sessionId) {
      throw new StepRefused("The register's session was closed before the sale completed.", "register_not_open");
    }
    for (const t of input.tenders.filter((x) => x.method === "store_credit")) {
      if (!(await repo.debitStoreCredit(tx, input.place.store.id, t.code!, t.amount))) {
        throw new StepRefused(
          `Store credit ${t.code} does not hold ${t.amount} any more.`,
          "store_credit_insufficient",
        );
      }
    }
    const tenders = input.tenders.map((t, index) => {
      const paid = payments.find((p) => p.index === index);
      return paid ? { ...t, paymentId: paid.paymentId } : t;
    });
    const { pricing } = input;
    const { sale, journalHead } = await repo.insertSale(tx, {
      id: input.saleId,
      storeId: input.place.store.id,
      registerId: input.place.register.id,
      sessionId: input.sessionId,
      cashierId: input.cashierId,
      receiptPrefix: receiptPrefixOf(input.place.store.code, "sale"),
      currency: input.currency,
      lines: pricing.lines,
      discount: input.discount,
      subtotal: pricing.subtotal,
      discountTotal: pricing.discountTotal,
      total: pricing.total,
      vat: pricing.vat,
      tenders,
      cashTendered: input.cashTendered,
      change: input.change,
      completedAt: ctx.now(),
    });
    await ctx.journal.append(
      tx,
      {
        storeId: sale.storeId,
        kind: "sale",
        documentId: sale.id,
        documentNumber: sale.receiptNumber,
        occurredAt: new Date(sale.completedAt),
        amount: sale.total,
        vat: sale.vat,
        payload: { ...sale, reprints: undefined },
      },
      journalHead,
    );
    await publishSaleCompleted(tx, ctx.outbox, sale, input.place);
    return sale;
  }
  const end: Pick<SagaDefinition<SaleInput>, "onCompleted" | "onFailed"> = {
    async onCompleted(tx, saga) {
      await repo.finishRequest(tx, saga.id, { status: "completed" });
      cards.delete(saga.id);
    },
    async onFailed(tx: Tx, saga, reason) {
      await repo.finishRequest(tx, saga.id, { status: "failed", problem: problemOf(saga.failure, reason) });
      cards.delete(saga.id);
    },
  };
  return [
    { kind: SALE, steps: [steps.reserve, steps.charge, steps.commit, steps.complete], ...end },
    { kind: SALE_WITHOUT_CARD, steps: [steps.take, steps.complete], ...end },
  ];
}

/** Card refunds, once per key (the refund's index in the document). */
async function refundCards(ctx: RetailContext, input: RefundInput) {
  for (const [i, r] of input.refunds.entries()) {
    if (r.method !== "card") continue;
    await ctx.payments.refund({
      key: `refund-${input.id}-${i}`,
      paymentId: r.paymentId!,
      amount: r.amount,
      reason: input.voidReason ?? input.reason ?? "till return",
    });
  }
  return null;
}

async function restock(ctx: RetailContext, input: RefundInput) {
  for (const [i, line] of input.lines.entries()) {
    await ctx.inventory.restock(
      { variantId: line.variantId, locationId: input.place.store.locationId, quantity: line.quantity },
      `refund-${input.id}-restock-${i}`,
      input.voidReason ? "till sale voided" : "till return",
    );
  }
  return null;
}

/**
 * A return (with or without receipt): card refunds through payments → stock back at the store's
 * location → complete (one transaction: the return's number, store credit, journal entry, event).
 * The return's row was written, running, when it started (its quantities held against the sale).
 */
function returnSaga(ctx: RetailContext): SagaDefinition<RefundInput> {
  return {
    kind: RETURN,
    steps: [
      { name: "refund", pivot: true, run: (input) => refundCards(ctx, input) },
      { name: "restock", run: (input) => restock(ctx, input) },
      {
        name: "complete",
        async run(input) {
          await withTx(ctx.db, async (tx) => {
            const running = await returnsRepo.findReturn(tx, input.id);
            if (!running || running.status !== "running") return;
            const seq = await repo.nextReceiptSeq(tx, input.place.store.id, "return");
            const number = receiptNumberOf(input.place.store.code, "return", seq);
            await returnsRepo.completeReturn(tx, input.id, seq, number, ctx.now());
            for (const r of input.refunds) {
              if (r.method === "store_credit" && r.code) await repo.creditStoreCredit(tx, r.code, r.amount);
            }
            if (input.storeCreditCode) {
              await repo.insertStoreCredit(tx, {
                code: input.storeCreditCode,
                storeId: input.place.store.id,
                returnId: input.id,
                amount: running.total,
                currency: running.currency,
              });
            }
            const ret = (await returnsRepo.findReturn(tx, input.id))!;
            const original = input.saleId ? ((await repo.findSale(tx, input.saleId))?.receiptNumber ?? null) : null;
            await ctx.journal.append(tx, {
              storeId: ret.storeId,
              kind: "return",
              documentId: ret.id,
              documentNumber: ret.receiptNumber!,
              occurredAt: new Date(ret.completedAt!),
              amount: -ret.total,
              vat: ret.vat.map((v) => ({ ...v, base: -v.base, vat: -v.vat, total: -v.total })),
              payload: { ...ret, reprints: undefined, originalReceiptNumber: original },
            });
            await publishSaleReturned(tx, ctx.outbox, ret, input.place, original);
          });
          return null;
        },
      },
    ],
    async onCompleted(tx, saga) {
      await repo.finishRequest(tx, saga.id, { status: "completed" });
    },
    async onFailed(tx, saga, reason) {
      await returnsRepo.failReturn(tx, saga.input.id);
      await repo.finishRequest(tx, saga.id, { status: "failed", problem: problemOf(saga.failure, reason) });
    },
  };
}

/** A void: every tender given back (cards through payments), the stock back, then the sale marked voided. */
function voidSaga(ctx: RetailContext): SagaDefinition<RefundInput> {
  return {
    kind: VOID,
    steps: [
      { name: "refund", pivot: true, run: (input) => refundCards(ctx, input) },
      { name: "restock", run: (input) => restock(ctx, input) },
      {
        name: "complete",
        async run(input) {
          await withTx(ctx.db, async (tx) => {
            const sale = await repo.lockSale(tx, input.saleId!);
            if (!sale || sale.status !== "completed") return;
            for (const r of input.refunds) {
              if (r.method === "store_credit" && r.code) await repo.creditStoreCredit(tx, r.code, r.amount);
            }
            const voided = await repo.markVoided(tx, sale.id, {
              by: input.cashierId,
              reason: input.voidReason!,
              refunds: input.refunds,
              cashRefunded: input.refunds.filter((r) => r.method === "cash").reduce((a, r) => a + r.amount, 0),
              at: ctx.now(),
            });
            await ctx.journal.append(tx, {
              storeId: sale.storeId,
              kind: "void",
              documentId: sale.id,
              documentNumber: sale.receiptNumber,
              occurredAt: new Date(voided.voidedAt!),
              amount: -sale.total,
              vat: sale.vat.map((v: VatLine) => ({ ...v, base: -v.base, vat: -v.vat, total: -v.total })),
              payload: { saleId: sale.id, reason: input.voidReason, refunds: input.refunds, voidedBy: input.cashierId },
            });
            await publishSaleVoided(tx, ctx.outbox, voided, input.place);
          });
          return null;
        },
      },
    ],
    async onCompleted(tx, saga) {
      await repo.finishRequest(tx, saga.id, { status: "completed" });
    },
    async onFailed(tx, saga, reason) {
      await repo.finishRequest(tx, saga.id, { status: "failed", problem: problemOf(saga.failure, reason) });
    },
  };
}

/** Retail's sagas: sales, returns and voids; and the vault the sales' cards wait in. */
export function saleSagas(ctx: RetailContext): { definitions: SagaDefinition<any>[]; cards: CardVault } {
  const cards: CardVault = new Map();
  return { definitions: [...saleSagasOf(ctx, cards), returnSaga(ctx), voidSaga(ctx)], cards };
}
