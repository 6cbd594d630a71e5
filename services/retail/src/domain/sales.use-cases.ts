import { setTimeout as sleep } from "node:timers/promises";
import {
  AppError,
  ConflictError,
  fingerprint,
  IdempotencyKeyReusedError,
  InvalidError,
  memoizeAsync,
  newId,
  NotFoundError,
  type PageWindow,
  paginated,
  problemError,
  withTx,
} from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import type { CatalogVariant } from "../clients/catalog.client";
import * as repo from "../db/sales.repo";
import { findStore } from "../db/stores.repo";
import { type Actor, assertStoreAccess, storeScopeOf } from "../model/access";
import { assertDiscountsAllowed, type PricedItem, priceSale, type RecordedTender, settle } from "../model/sale";
import type { Register, Store } from "../model/store";
import { receiptHtml } from "../receipts/receipt.html";
import { saleReceipt } from "../receipts/receipt";
import type { paymentsHttp, retailHttp } from "@comptoir/contracts/http";
import type { RetailContext } from "./context";
import type { EventPlace } from "./retail.events";
import { type CardVault, type SaleInput, saleKindOf } from "./sale.saga";

export interface SalesDeps {
  ctx: RetailContext;
  sagas: SagaRunner;
  cards: CardVault;
}

/** Reads this database's fingerprint key once (and again after a failed read). */
export const fingerprintKeyOf = (ctx: RetailContext): (() => Promise<Buffer>) =>
  memoizeAsync(() => repo.fingerprintKey(ctx.db));

export const registerNotFound = (id: string) => new NotFoundError("register_not_found", `There is no register ${id}.`);
export const saleNotFound = (id: string) => new NotFoundError("sale_not_found", `There is no sale ${id}.`);

/** The register and its store, if the actor works there (404 register_not_found otherwise). */
export async function placeOf(ctx: RetailContext, actor: Actor, registerId: string) {
  const register = await ctx.places.register(registerId);
  if (!register) throw registerNotFound(registerId);
  assertStoreAccess(actor, register.storeId, () => registerNotFound(registerId));
  const store = (await ctx.places.store(register.storeId))!;
  return { register, store, place: eventPlace(store, register) };
}

export const eventPlace = (store: Store, register: Register): EventPlace => ({
  store: { id: store.id, code: store.code, name: store.name, timezone: store.timezone, locationId: store.locationId },
  register: { id: register.id, code: register.code, name: register.name },
});

/**
 * The catalog variants of a till's lines, by id, SKU or barcode: 400 when a line names none (or
 * several), 404 variant_not_found naming every unknown one, 409 variant_not_for_sale for a product
 * that is not active or not in the store's currency.
 */
export async function resolveVariants(
  ctx: RetailContext,
  lines: readonly Pick<retailHttp.LineInput, "variantId" | "sku" | "barcode">[],
): Promise<CatalogVariant[]> {
  const bad = lines.flatMap((l, i) =>
    [l.variantId, l.sku, l.barcode].filter((x) => x !== undefined).length === 1 ? [] : [i],
  );
  if (bad.length > 0) {
    throw new InvalidError(
      "line_item_required",
      "Each line names its item by exactly one of variantId, sku or barcode.",
      {
        errors: bad.map((i) => ({
          in: "body",
          field: `lines.${i}`,
          message: "needs exactly one of variantId, sku, barcode",
        })),
      },
    );
  }
  const ids = [...new Set(lines.flatMap((l) => (l.variantId ? [l.variantId] : [])))];
  const codes = [...new Set(lines.flatMap((l) => (l.sku ? [l.sku] : l.barcode ? [l.barcode] : [])))];
  const [byId, byCode] = await Promise.all([ctx.catalog.byIds(ids), ctx.catalog.byCodes(codes)]);
  const found = lines.map((l) =>
    l.variantId
      ? byId.find((v) => v.id === l.variantId)
      : l.sku
        ? byCode.find((v) => v.sku === l.sku)
        : byCode.find((v) => v.barcode === l.barcode),
  );
  const unknown = lines.flatMap((l, i) =>
    found[i] ? [] : [l.variantId ? { variantId: l.variantId } : l.sku ? { sku: l.sku } : { barcode: l.barcode! }],
  );
  if (unknown.length > 0) {
    const names = unknown.map((u) => Object.values(u)[0]).join(", ");
    throw new AppError("variant_not_found", 404, "Not found", {
      detail: `Catalog knows no such item: ${names}.`,
      extensions: { unknown },
    });
  }
  const unavailable = found.filter((v) => v!.productStatus !== "active" || v!.currency !== ctx.settings.currency);
  if (unavailable.length > 0) {
    throw new ConflictError("variant_not_for_sale", `Not for sale: ${unavailable.map((v) => v!.sku).join(", ")}.`, {
      extensions: { variants: unavailable.map((v) => v!.id) },
    });
  }
  return found as CatalogVariant[];
}

/** The request as fingerprinted: its body without any card number or CVC, and who sent it. */
function fingerprintOf(key: Buffer, actor: Actor, body: retailHttp.SaleRequest): string {
  const tenders = body.tenders.map((t) =>
    t.method === "card"
      ? {
          ...t,
          card: {
            last4: t.card.number.replace(/[^0-9]/g, "").slice(-4),
            expMonth: t.card.expMonth,
            expYear: t.card.expYear,
          },
        }
      : t,
  );
  return fingerprint({ actor: actor.userId, ...body, tenders }, key);
}

/**
 * `POST /api/retail/sales`: one sale per Idempotency-Key (or client sale id) and cashier, whatever
 * happens. A new key prices the lines at catalog, checks discounts and tenders, records the request
 * and starts the sale's saga, then waits for its outcome; the same key again waits for the same
 * outcome and answers it again (the sale, or the same problem); another body under it is a 422.
 */
export async function createSale(
  deps: SalesDeps & { fingerprintKey: () => Promise<Buffer> },
  actor: Actor,
  idempotencyKey: string | undefined,
  body: retailHttp.SaleRequest,
) {
  const { ctx } = deps;
  if (!idempotencyKey && !body.id) {
    throw new InvalidError(
      "idempotency_key_required",
      "Send an Idempotency-Key header or a client-generated sale id.",
      {
        errors: [{ in: "headers", field: "idempotency-key", message: "is required without a sale id" }],
      },
    );
  }
  const key = idempotencyKey ?? `sale-id:${body.id}`;
  const scope = actor.userId;
  const fp = fingerprintOf(await deps.fingerprintKey(), actor, body);
  // One round trip: the request under this key (or sale id), and the register's open session.
  const known = await repo.findSaleRequestAndOpenSession(ctx.db, {
    scope,
    key,
    id: body.id ?? null,
    registerId: body.registerId,
  });
  if (known.request) return replay(deps, known.request, fp);

  const { store, place } = await placeOf(ctx, actor, body.registerId);
  const sessionId = known.openSessionId;
  if (!sessionId) throw new ConflictError("register_not_open", `Register ${body.registerId} has no open session.`);

  const variants = await resolveVariants(ctx, body.lines);
  const items: PricedItem[] = body.lines.map((l, i) => {
    const v = variants[i]!;
    return {
      variantId: v.id,
      productId: v.productId,
      sku: v.sku,
      name: Object.keys(v.options).length
        ? `${v.productName} — ${Object.values(v.options).join(" / ")}`
        : v.productName,
      unitPrice: v.price,
      vatRate: v.vatRate,
      quantity: l.quantity,
      ...(l.discount ? { discount: l.discount } : {}),
    };
  });
  const pricing = priceSale(items, body.discount);
  assertDiscountsAllowed(pricing, ctx.settings.maxDiscountPercent, actor.permissions.includes("sales:discount"));
  const settlement = settle(pricing.total, body.tenders);
  await assertStoreCredits(ctx, store.id, body.tenders);

  const saleId = body.id ?? newId();
  const tenders: RecordedTender[] = body.tenders.map((t) =>
    t.method === "card"
      ? { method: "card", amount: t.amount, last4: t.card.number.replace(/[^0-9]/g, "").slice(-4) }
      : t.method === "store_credit"
        ? { method: "store_credit", amount: t.amount, code: t.code }
        : { method: "cash", amount: t.amount },
  );
  const input: SaleInput = {
    saleId,
    place,
    sessionId,
    cashierId: actor.userId,
    currency: ctx.settings.currency,
    pricing,
    discount: body.discount ?? null,
    tenders,
    cashTendered: settlement.cashTendered,
    change: settlement.change,
  };
  const started = await withTx(ctx.db, async (tx) => {
    const inserted = await repo.insertRequest(tx, {
      id: saleId,
      kind: "sale",
      scope,
      key,
      fingerprint: fp,
      documentId: saleId,
    });
    return inserted ? deps.sagas.start(tx, saleKindOf(tenders), saleId, input) : undefined;
  });
  if (!started) {
    const row = (await repo.findRequestByKey(ctx.db, "sale", scope, key)) ?? (await repo.findRequest(ctx.db, saleId));
    return replay(deps, row!, fp);
  }
  const cards: paymentsHttp.Card[] = body.tenders.map((t) =>
    t.method === "card" ? { ...t.card, number: t.card.number.replaceAll(" ", "") } : (undefined as never),
  );
  deps.cards.set(saleId, cards);
  const ended = await deps.sagas.execute(started);
  // Completed now: the sale as its saga recorded it (the complete step's output), not read back.
  const sale = ended?.status === "completed" ? (ended.outputs.complete as retailHttp.Sale | null) : null;
  if (sale) {
    deps.cards.delete(saleId);
    return { ...sale, receipt: saleReceipt(sale, store, 0) };
  }
  return outcome(deps, saleId);
}

async function assertStoreCredits(ctx: RetailContext, storeId: string, tenders: retailHttp.SaleRequest["tenders"]) {
  const byCode = new Map<string, number>();
  for (const t of tenders) if (t.method === "store_credit") byCode.set(t.code, (byCode.get(t.code) ?? 0) + t.amount);
  for (const [code, amount] of byCode) {
    const credit = await repo.findStoreCredit(ctx.db, code);
    // A store credit is spent in the store that issued it; another store's is answered as unknown
    // (its balance is not shown to a till of another store).
    if (!credit || credit.storeId !== storeId) {
      throw new NotFoundError("store_credit_not_found", `There is no store credit ${code}.`);
    }
    if (credit.balance < amount) {
      throw new ConflictError(
        "store_credit_insufficient",
        `Store credit ${code} holds ${credit.balance}, not ${amount}.`,
        {
          extensions: { balance: credit.balance },
        },
      );
    }
  }
}

async function replay(deps: SalesDeps, row: repo.RetailRequest, fp: string) {
  if (row.fingerprint !== fp) {
    throw new IdempotencyKeyReusedError(
      "This Idempotency-Key (or sale id) was used for another sale; use a new one for a new sale.",
    );
  }
  return outcome(deps, row.id);
}

/**
 * Waits for the sale to end, carrying its saga on when a retry is due, for at most saleWaitMs:
 * the sale with its original receipt, the problem it failed with, or 409 sale_in_progress.
 */
async function outcome(deps: SalesDeps, requestId: string) {
  const { ctx } = deps;
  const deadline = Date.now() + ctx.settings.saleWaitMs;
  for (;;) {
    const row = (await repo.findRequest(ctx.db, requestId))!;
    if (row.status !== "running") deps.cards.delete(requestId);
    if (row.status === "completed") {
      const sale = (await repo.findSale(ctx.db, row.documentId))!;
      const store = (await ctx.places.store(sale.storeId))!;
      return { ...sale, receipt: saleReceipt(sale, store, 0) };
    }
    if (row.status === "failed") throw problemError(row.problem!);
    if (Date.now() >= deadline) {
      throw new ConflictError(
        "sale_in_progress",
        "This sale is still being processed; send the same request with the same key again for its outcome.",
        { headers: { "retry-after": "1" } },
      );
    }
    await sleep(50);
    await deps.sagas.execute(requestId, { dueOnly: true });
  }
}

/** A sale the actor may see (404 sale_not_found otherwise, another store's included). */
export async function getSale(ctx: RetailContext, actor: Actor, id: string): Promise<retailHttp.Sale> {
  const sale = await repo.findSale(ctx.db, id);
  if (!sale) throw saleNotFound(id);
  assertStoreAccess(actor, sale.storeId, () => saleNotFound(id));
  return sale;
}

export async function listSales(
  ctx: RetailContext,
  actor: Actor,
  query: Omit<retailHttp.SaleQuery, "page" | "limit">,
  window: PageWindow,
) {
  const scope = storeScopeOf(actor);
  if (!scope.all && !scope.storeId) return paginated([], window, 0);
  const { rows, total } = await repo.listSales(
    ctx.db,
    { ...query, onlyStoreId: scope.all ? undefined : scope.storeId! },
    window,
  );
  return paginated(rows, window, total);
}

/**
 * A reprint of the sale's receipt: a duplicate with its reprint count, recorded as a `reprint`
 * journal entry (amount 0) in the same transaction.
 */
export async function reprintSale(ctx: RetailContext, actor: Actor, id: string, format: "json" | "html") {
  await getSale(ctx, actor, id);
  const receipt = await withTx(ctx.db, async (tx) => {
    const sale = (await repo.lockSale(tx, id))!;
    const reprint = await repo.countReprint(tx, "sales", id);
    const store = (await findStore(tx, sale.storeId))!;
    await ctx.journal.append(tx, {
      storeId: sale.storeId,
      kind: "reprint",
      documentId: sale.id,
      documentNumber: sale.receiptNumber,
      occurredAt: ctx.now(),
      amount: 0,
      vat: [],
      payload: { documentKind: "sale", reprint, by: actor.userId },
    });
    return saleReceipt(sale, store, reprint);
  });
  return format === "html" ? receiptHtml(receipt) : receipt;
}
