import { type FormEvent, useId, useRef, useState } from "react";
import { type ComptoirClient, newKey, ProblemError, unwrap } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { findByCode } from "../catalog";
import { ManagerApproval } from "../components";
import type { LocalVariant } from "../db";
import { usePos } from "../PosContext";
import { printDocument } from "../print";
import type { Till } from "../till";
import type { Return, Sale } from "../types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Retail has no lookup by receipt number: the store's latest sales are read, 200 a page, this many pages. */
const RECEIPT_PAGES = 5;

/** Returns: with the receipt (the sale found by its number or id) or without (a manager's, refunded in cash or store credit). */
export function ReturnsPage({ till }: { till: Till }) {
  const { t } = useI18n();
  const pos = usePos();
  useDocumentTitle(t("pos.returns.title"));
  return (
    <section>
      <h1>{t("pos.returns.title")}</h1>
      {!pos.online ? (
        <p className="alert alert-error" role="alert">
          {t("pos.offline.needed")}
        </p>
      ) : (
        <div className="pos-columns">
          <WithReceipt till={till} />
          <WithoutReceipt till={till} />
        </div>
      )}
    </section>
  );
}

function ReturnDone({ done }: { done: Return }) {
  const { t, money } = useI18n();
  const { call } = useSession();
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="alert alert-success" role="status" data-testid="pos-return-done">
      <p>{t("pos.returns.done", { number: done.receiptNumber ?? "", total: money(done.total) })}</p>
      <ul>
        {done.refunds.map((r, i) => (
          <li key={i}>
            {t(`pos.tender.${r.method}`)} {money(r.amount)}
          </li>
        ))}
      </ul>
      {done.storeCredit && (
        <p>{t("pos.returns.credit", { code: done.storeCredit.code, amount: money(done.storeCredit.amount) })}</p>
      )}
      <button
        type="button"
        className="button button-secondary"
        onClick={async () => {
          try {
            const html = await call((client) =>
              client.retail.GET("/api/retail/returns/{id}/receipt", {
                params: { path: { id: done.id }, query: { format: "html" } },
                parseAs: "text",
              }),
            );
            printDocument(html as unknown as string, t("pos.receipt.title"));
          } catch (failure) {
            setError(failure);
          }
        }}
      >
        {t("pos.returns.print")}
      </button>
      {error !== null && <ErrorMessage error={error} />}
    </div>
  );
}

function WithReceipt({ till }: { till: Till }) {
  const { t, money, date } = useI18n();
  const { call } = useSession();
  const id = useId();
  const [wanted, setWanted] = useState("");
  const [sale, setSale] = useState<Sale | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Return | null>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef<string | null>(null);

  async function find(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setNotFound(false);
    setSale(null);
    setDone(null);
    const text = wanted.trim();
    if (!text) return;
    try {
      let found: Sale | undefined;
      if (UUID.test(text)) {
        found = await call((client) => client.retail.GET("/api/retail/sales/{id}", { params: { path: { id: text } } }));
      } else {
        for (let page = 1; page <= RECEIPT_PAGES && !found; page++) {
          const list = await call((client) =>
            client.retail.GET("/api/retail/sales", { params: { query: { storeId: till.storeId, limit: 200, page } } }),
          );
          found = list.data.find((s) => s.receiptNumber.toUpperCase() === text.toUpperCase());
          if (list.data.length < 200) break;
        }
      }
      if (!found) return setNotFound(true);
      setSale(found);
      setQuantities({});
      key.current = null;
    } catch (failure) {
      if (failure instanceof ProblemError && failure.code === "sale_not_found") setNotFound(true);
      else setError(failure);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!sale) return;
    const lines = Object.entries(quantities)
      .filter(([, q]) => q > 0)
      .map(([variantId, quantity]) => ({ variantId, quantity }));
    if (lines.length === 0) return;
    setBusy(true);
    setError(null);
    // One key per attempt, kept until the platform answers (a second click is the same return).
    key.current ??= newKey();
    try {
      const made = await call((client) =>
        client.retail.POST("/api/retail/sales/{id}/returns", {
          params: { path: { id: sale.id }, header: { "idempotency-key": key.current! } },
          body: { registerId: till.registerId!, lines, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      );
      setDone(made);
      setSale(null);
      key.current = null;
    } catch (failure) {
      if (failure instanceof ProblemError) key.current = null;
      setError(failure);
    }
    setBusy(false);
  }

  return (
    <div className="panel">
      <h2>{t("pos.returns.withReceipt")}</h2>
      <form onSubmit={find}>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-number`}>{t("pos.returns.number")}</label>
            <input
              id={`${id}-number`}
              autoComplete="off"
              value={wanted}
              autoFocus
              aria-describedby={`${id}-hint`}
              onChange={(e) => setWanted(e.target.value)}
            />
          </div>
          <button type="submit" className="button button-secondary">
            {t("pos.returns.find")}
          </button>
        </div>
        <p className="hint" id={`${id}-hint`}>
          {t("pos.returns.numberHint", { pages: RECEIPT_PAGES * 200 })}
        </p>
      </form>
      {notFound && (
        <p className="alert alert-error" role="alert">
          {t("pos.returns.notFound")}
        </p>
      )}
      {sale && (
        <form onSubmit={submit}>
          <p>
            {t("pos.returns.sale", {
              number: sale.receiptNumber,
              date: date(sale.completedAt),
              total: money(sale.total),
            })}
          </p>
          <table className="pos-lines">
            <caption className="visually-hidden">{t("pos.sale.lines")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("pos.sale.item")}</th>
                <th scope="col" className="num">
                  {t("pos.returns.sold")}
                </th>
                <th scope="col" className="num">
                  {t("pos.returns.back")}
                </th>
              </tr>
            </thead>
            <tbody>
              {sale.lines.map((l) => (
                <tr key={l.variantId}>
                  <th scope="row">
                    {l.name} <span className="muted pos-sku">{l.sku}</span>
                  </th>
                  <td className="num">
                    {l.quantity} × {money(Math.round(l.lineTotal / l.quantity))}
                  </td>
                  <td className="num">
                    <label className="visually-hidden" htmlFor={`${id}-${l.variantId}`}>
                      {t("pos.returns.backOf", { name: l.name })}
                    </label>
                    <input
                      id={`${id}-${l.variantId}`}
                      className="pos-qty"
                      type="number"
                      min={0}
                      max={l.quantity}
                      value={quantities[l.variantId] ?? 0}
                      onChange={(e) =>
                        setQuantities((q) => ({
                          ...q,
                          [l.variantId]: Math.max(0, Math.min(l.quantity, Math.floor(Number(e.target.value) || 0))),
                        }))
                      }
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="field">
            <label htmlFor={`${id}-reason`}>{t("pos.returns.reason")}</label>
            <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="button" disabled={busy}>
            {t("pos.returns.submit")}
          </button>
        </form>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {done && <ReturnDone done={done} />}
    </div>
  );
}

function WithoutReceipt({ till }: { till: Till }) {
  const { t, money } = useI18n();
  const { call, user } = useSession();
  const pos = usePos();
  const id = useId();
  const [code, setCode] = useState("");
  const [lines, setLines] = useState<{ variant: LocalVariant; quantity: number }[]>([]);
  const [method, setMethod] = useState<"cash" | "store_credit">("cash");
  const [reason, setReason] = useState("");
  const [unknown, setUnknown] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Return | null>(null);
  const [approval, setApproval] = useState(false);
  const key = useRef<string | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setUnknown(null);
    const typed = code.trim();
    if (!typed) return;
    const variant = /^[A-Za-z0-9._/-]{1,64}$/.test(typed) ? await findByCode(typed, pos.online) : undefined;
    if (!variant) return setUnknown(typed);
    setCode("");
    setLines((all) => {
      const same = all.findIndex((l) => l.variant.id === variant.id);
      if (same < 0) return [...all, { variant, quantity: 1 }];
      return all.map((l, i) => (i === same ? { ...l, quantity: l.quantity + 1 } : l));
    });
  }

  const send = (client: ComptoirClient) =>
    client.retail.POST("/api/retail/returns", {
      params: { header: { "idempotency-key": key.current! } },
      body: {
        registerId: till.registerId!,
        lines: lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity })),
        refundMethod: method,
        reason: reason.trim(),
      },
    });

  function succeeded(made: Return) {
    setDone(made);
    setLines([]);
    setReason("");
    setApproval(false);
    key.current = null;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (lines.length === 0 || !reason.trim()) return;
    setError(null);
    setDone(null);
    key.current ??= newKey();
    if (user?.role === "clerk") return setApproval(true);
    try {
      succeeded(await call(send));
    } catch (failure) {
      if (failure instanceof ProblemError) key.current = null;
      if (failure instanceof ProblemError && failure.status === 403) return setApproval(true);
      setError(failure);
    }
  }

  return (
    <div className="panel">
      <h2>{t("pos.returns.withoutReceipt")}</h2>
      <p className="hint">{t("pos.returns.withoutHint")}</p>
      <form onSubmit={add}>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-code`}>{t("pos.returns.code")}</label>
            <input id={`${id}-code`} autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} />
          </div>
          <button type="submit" className="button button-secondary">
            {t("pos.returns.add")}
          </button>
        </div>
      </form>
      {unknown && (
        <p className="alert alert-error" role="alert">
          {t("pos.scan.unknown", { code: unknown })}
        </p>
      )}
      {lines.length > 0 && (
        <form onSubmit={submit}>
          <ul className="pos-tenders">
            {lines.map((l) => (
              <li key={l.variant.id}>
                {l.quantity} × {l.variant.name} ({money(l.variant.price)})
              </li>
            ))}
          </ul>
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${id}-method`}>{t("pos.returns.method")}</label>
              <select
                id={`${id}-method`}
                value={method}
                onChange={(e) => setMethod(e.target.value as "cash" | "store_credit")}
              >
                <option value="cash">{t("pos.tender.cash")}</option>
                <option value="store_credit">{t("pos.tender.store_credit")}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-why`}>{t("pos.returns.reasonRequired")}</label>
              <input
                id={`${id}-why`}
                required
                value={reason}
                maxLength={500}
                onChange={(e) => setReason(e.target.value)}
              />
            </div>
          </div>
          <button type="submit" className="button">
            {t("pos.returns.submit")}
          </button>
        </form>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {approval && (
        <ManagerApproval
          reason={t("pos.approval.return")}
          onCancel={() => setApproval(false)}
          onApproved={async (run) => succeeded(await run(async (client) => unwrap(await send(client))))}
        />
      )}
      {done && <ReturnDone done={done} />}
    </div>
  );
}
