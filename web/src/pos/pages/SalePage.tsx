import { type FormEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { codeOf, newKey, unwrap } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { findByCode, searchByName } from "../catalog";
import { Key, ManagerApproval, Panel } from "../components";
import type { Discount, LocalReceipt, LocalVariant, SaleBody } from "../db";
import { outcomeUnknown, usePos } from "../PosContext";
import { aboveLimit, type BasketLine, localReceipt, price, saleBody } from "../pricing";
import { printDocument } from "../print";
import { fromLocal, fromServer, receiptPage } from "../receipt";
import type { Till } from "../till";
import type { CreatedSale } from "../types";
import { Camera } from "./Camera";

type PanelName = "search" | "quantity" | "lineDiscount" | "basketDiscount" | "pay" | "approval" | "clear" | "camera";
type Tender = SaleBody["tenders"][number];

/** A finished sale: registered by the platform, or kept in the queue until it is back. */
type Done = { kind: "registered"; sale: CreatedSale } | { kind: "queued"; receipt: LocalReceipt };

/** What a scanned code may be (catalog's codes): anything else is not looked up. */
const CODE = /^[A-Za-z0-9._/-]{1,64}$/;

/** "12,50", "12.5", "12" → cents; undefined when it is not an amount. */
export function parseAmount(text: string): number | undefined {
  const clean = text.replace(/[\s€]/g, "").replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return undefined;
  return Math.round(Number(clean) * 100);
}

const TEST_CARD = { number: "4242 4242 4242 4242", expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: "123" };

/**
 * The sale: a scan field that keeps the focus (a keyboard-wedge scanner types the code and Enter;
 * `3*code` sells three), the basket with quantities and discounts, then the payment (cash with the
 * change due, the test card, split), all by keys: see KEYS below and web/README.md.
 */
export function SalePage({ till }: { till: Till & { sessionId: string } }) {
  const i18n = useI18n();
  const { t, money } = i18n;
  const { call, user } = useSession();
  const pos = usePos();
  const scan = useRef<HTMLInputElement>(null);
  const [code, setCode] = useState("");
  const [lines, setLines] = useState<BasketLine[]>([]);
  const [selected, setSelected] = useState(-1);
  const [basket, setBasket] = useState<Discount | undefined>();
  const [panel, setPanel] = useState<PanelName | null>(null);
  const [tenders, setTenders] = useState<Tender[]>([]);
  const [done, setDone] = useState<Done | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const [approvalBody, setApprovalBody] = useState<SaleBody | null>(null);
  /** The attempt whose outcome is unknown (no answer): sent again under the same id, never twice. */
  const unknown = useRef<{ id: string; body: string } | null>(null);
  useDocumentTitle(t("pos.sale.title"));

  const priced = useMemo(() => price(lines, basket), [lines, basket]);
  const paid = tenders.reduce((a, x) => a + x.amount, 0);
  const remaining = Math.max(0, priced.total - paid);
  const line = selected >= 0 ? lines[selected] : undefined;

  // The scan field never unmounts: it takes the focus back at once (a key typed next lands there),
  // and again once the panel that had it is gone — unless another panel has taken it meanwhile.
  const focusScan = useCallback(() => {
    scan.current?.focus();
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body) scan.current?.focus();
    }, 0);
  }, []);
  const close = useCallback(() => {
    setPanel(null);
    focusScan();
  }, [focusScan]);

  const add = useCallback((variant: LocalVariant, quantity: number) => {
    setDone(null);
    setError(null);
    setLines((current) => {
      const same = current.findIndex((l) => l.variant.id === variant.id && !l.discount);
      if (same >= 0) {
        setSelected(same);
        return current.map((l, i) => (i === same ? { ...l, quantity: Math.min(999, l.quantity + quantity) } : l));
      }
      setSelected(current.length);
      return [...current, { key: newKey(), variant, quantity }];
    });
  }, []);

  async function onScan(event: FormEvent) {
    event.preventDefault();
    const typed = code.trim();
    if (!typed) {
      if (lines.length > 0) setPanel("pay");
      return;
    }
    setCode("");
    const match = /^(\d{1,3})\*(.+)$/.exec(typed);
    const quantity = match ? Math.max(1, Number(match[1])) : 1;
    const wanted = match ? match[2]!.trim() : typed;
    if (!CODE.test(wanted)) {
      setNotice(t("pos.scan.unknown", { code: wanted }));
      return;
    }
    try {
      const variant = await findByCode(wanted, pos.online);
      if (!variant) {
        setNotice(t("pos.scan.unknown", { code: wanted }));
        return;
      }
      add(variant, quantity);
      setNotice(t("pos.scan.added", { name: variant.name, quantity }));
    } catch (failure) {
      pos.observe(failure);
      setNotice(t("pos.scan.unknown", { code: wanted }));
    }
  }

  function finish(result: Done) {
    setDone(result);
    setLines([]);
    setSelected(-1);
    setBasket(undefined);
    setTenders([]);
    setPanel(null);
    setError(null);
    unknown.current = null;
    const change = result.kind === "registered" ? result.sale.change : result.receipt.change;
    setNotice(
      result.kind === "registered"
        ? t("pos.sale.registered", { number: result.sale.receiptNumber, change: money(change) })
        : t("pos.sale.queued", { change: money(change) }),
    );
    focusScan();
  }

  async function submit(all: Tender[]) {
    const draft = saleBody("", till.registerId!, lines, basket, all);
    const json = JSON.stringify({ ...draft, id: "" });
    const id = unknown.current?.body === json ? unknown.current.id : newKey();
    const body = { ...draft, id };
    const preview = localReceipt(body, lines, priced);
    const cashOnly = all.every((x) => x.method === "cash");
    setError(null);
    if (!pos.online) {
      if (!cashOnly) return setError(new Error("offline-card"));
      if (user?.role === "clerk" && aboveLimit(lines, basket, priced)) return setError(new Error("offline-discount"));
      await pos.enqueue(body, preview, till.storeId);
      return finish({ kind: "queued", receipt: preview });
    }
    try {
      const sale: CreatedSale = await call((client) => client.retail.POST("/api/retail/sales", { body }));
      pos.observe(null);
      finish({ kind: "registered", sale });
    } catch (failure) {
      pos.observe(failure);
      if (outcomeUnknown(failure)) {
        // No answer: the sale may have been made. Cash goes to the queue under this id (sent once);
        // a card sale waits for the clerk to send it again, under this id too.
        if (cashOnly) {
          await pos.enqueue(body, preview, till.storeId);
          return finish({ kind: "queued", receipt: preview });
        }
        unknown.current = { id, body: json };
        return setError(failure);
      }
      unknown.current = null;
      if (codeOf(failure) === "discount_not_allowed") {
        setApprovalBody(body);
        setPanel("approval");
        return;
      }
      setTenders([]);
      setError(failure);
    }
  }

  function addTender(tender: Tender) {
    const all = [...tenders, tender];
    setTenders(all);
    if (all.reduce((a, x) => a + x.amount, 0) >= priced.total) void submit(all);
  }

  const payAmount = useRef<HTMLInputElement>(null);
  function tenderAmount(): number | undefined {
    const typed = payAmount.current?.value ?? "";
    return typed.trim() === "" ? remaining : parseAmount(typed);
  }
  function payCash(event?: FormEvent) {
    event?.preventDefault();
    const amount = tenderAmount();
    if (!amount) return;
    addTender({ method: "cash", amount });
  }
  function payCard() {
    const amount = Math.min(tenderAmount() ?? 0, remaining);
    if (!amount) return;
    if (!pos.online) return setError(new Error("offline-card"));
    addTender({ method: "card", amount, card: { ...TEST_CARD, number: TEST_CARD.number.replaceAll(" ", "") } });
  }

  function removeLine(index: number) {
    setLines((current) => current.filter((_, i) => i !== index));
    setSelected((s) => Math.min(s, lines.length - 2));
  }

  function print(result: Done) {
    const page =
      result.kind === "registered"
        ? receiptPage(fromServer(result.sale.receipt), till.storeName, i18n, result.sale.id)
        : receiptPage(fromLocal(result.receipt, i18n), till.storeName, i18n, result.receipt.saleId);
    printDocument(page, t("pos.receipt.title"));
    focusScan();
  }

  async function printDuplicate(saleId: string) {
    try {
      const html = await call((client) =>
        client.retail.GET("/api/retail/sales/{id}/receipt", {
          params: { path: { id: saleId }, query: { format: "html" } },
          parseAs: "text",
        }),
      );
      printDocument(html as unknown as string, t("pos.receipt.title"));
    } catch (failure) {
      setError(failure);
    }
    focusScan();
  }

  // The till's keys, wherever the focus is on this screen.
  const keys = useRef<(event: KeyboardEvent) => void>(() => undefined);
  keys.current = (event: KeyboardEvent) => {
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey;
    if (event.ctrlKey && event.key.toLowerCase() === "p" && done) {
      event.preventDefault();
      print(done);
      return;
    }
    if (!plain) return;
    const action: Record<string, () => void> = {
      F2: () => setPanel("search"),
      F3: () => line && setPanel("quantity"),
      F4: () => line && setPanel("lineDiscount"),
      F6: () => lines.length > 0 && setPanel("basketDiscount"),
      F7: () => (panel === "pay" ? payCard() : lines.length > 0 && setPanel("pay")),
      F8: () => line && !panel && removeLine(selected),
      F9: () => lines.length > 0 && (panel === "pay" ? payCash() : setPanel("pay")),
      Escape: () => panel && close(),
    };
    const run = action[event.key];
    if (!run) return;
    event.preventDefault();
    if (event.key !== "Escape" && event.key !== "F7" && event.key !== "F9") setError(null);
    run();
  };
  useEffect(() => {
    const listener = (event: KeyboardEvent) => keys.current(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  // The scan field keeps the focus whenever no panel is open.
  useEffect(() => {
    if (!panel) scan.current?.focus();
  }, [panel]);

  const errorText = (failure: unknown) =>
    failure instanceof Error && failure.message === "offline-card" ? (
      <p className="alert alert-error" role="alert">
        {t("pos.offline.card")}
      </p>
    ) : failure instanceof Error && failure.message === "offline-discount" ? (
      <p className="alert alert-error" role="alert">
        {t("pos.offline.discount")}
      </p>
    ) : (
      <ErrorMessage error={failure} />
    );

  return (
    <div className="pos-sale">
      <section className="pos-ticket" aria-labelledby="pos-ticket-title">
        <h1 id="pos-ticket-title" className="visually-hidden">
          {t("pos.sale.title")}
        </h1>
        <form className="pos-scan" onSubmit={onScan}>
          <label htmlFor="pos-scan">{t("pos.scan.label")}</label>
          <div className="pos-scan-row">
            <input
              id="pos-scan"
              ref={scan}
              value={code}
              autoComplete="off"
              autoCorrect="off"
              spellCheck={false}
              aria-describedby="pos-scan-hint"
              onChange={(e) => setCode(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "ArrowDown") setSelected((s) => Math.min(lines.length - 1, s + 1));
                else if (e.key === "ArrowUp") setSelected((s) => Math.max(0, s - 1));
                else if (e.key === "Delete" && code === "" && line) removeLine(selected);
                else return;
                e.preventDefault();
              }}
            />
            {"BarcodeDetector" in window && (
              <button type="button" className="button button-secondary" onClick={() => setPanel("camera")}>
                {t("pos.scan.camera")}
              </button>
            )}
          </div>
          <p id="pos-scan-hint" className="hint">
            {t("pos.scan.hint")}
          </p>
        </form>
        <p className="pos-notice" role="status" aria-live="polite" data-testid="pos-notice">
          {notice}
        </p>
        {lines.length === 0 ? (
          <p className="empty">{t("pos.sale.empty")}</p>
        ) : (
          <table className="pos-lines">
            <caption className="visually-hidden">{t("pos.sale.lines")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("pos.sale.item")}</th>
                <th scope="col" className="num">
                  {t("pos.sale.quantity")}
                </th>
                <th scope="col" className="num">
                  {t("pos.sale.unitPrice")}
                </th>
                <th scope="col" className="num">
                  {t("pos.sale.discount")}
                </th>
                <th scope="col" className="num">
                  {t("pos.sale.lineTotal")}
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <tr
                  key={l.key}
                  className={i === selected ? "pos-line-selected" : undefined}
                  onClick={() => setSelected(i)}
                >
                  <th scope="row">
                    {i === selected && <span className="visually-hidden">{t("pos.sale.selected")} </span>}
                    {l.variant.name} <span className="muted pos-sku">{l.variant.sku}</span>
                  </th>
                  <td className="num">{l.quantity}</td>
                  <td className="num">{money(l.variant.price)}</td>
                  <td className="num">{priced.lines[i]!.discount ? `−${money(priced.lines[i]!.discount)}` : ""}</td>
                  <td className="num">{money(priced.lines[i]!.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <dl className="pos-totals">
          <div>
            <dt>{t("pos.sale.subtotal")}</dt>
            <dd>{money(priced.subtotal)}</dd>
          </div>
          {priced.discountTotal > 0 && (
            <div>
              <dt>{t("pos.sale.discounts")}</dt>
              <dd>−{money(priced.discountTotal)}</dd>
            </div>
          )}
          <div className="pos-total">
            <dt>{t("pos.sale.total")}</dt>
            <dd data-testid="pos-total">{money(priced.total)}</dd>
          </div>
        </dl>
        {!pos.online && <p className="hint">{t("pos.offline.estimate")}</p>}
      </section>

      <aside className="pos-side" aria-label={t("pos.sale.actions")}>
        {error !== null && panel !== "approval" && errorText(error)}
        {panel === "search" && (
          <SearchPanel
            onPick={(v) => {
              add(v, 1);
              setNotice(t("pos.scan.added", { name: v.name, quantity: 1 }));
              close();
            }}
          />
        )}
        {panel === "camera" && (
          <Camera
            onCode={(found) => {
              close();
              setCode(found);
              setTimeout(() => scan.current?.form?.requestSubmit(), 0);
            }}
            onCancel={close}
          />
        )}
        {panel === "quantity" && line && (
          <NumberPanel
            title={t("pos.quantity.title", { name: line.variant.name })}
            label={t("pos.sale.quantity")}
            initial={String(line.quantity)}
            onSubmit={(text) => {
              const n = Math.floor(Number(text));
              if (!Number.isFinite(n) || n < 0 || n > 999) return false;
              if (n === 0) removeLine(selected);
              else setLines((all) => all.map((l, i) => (i === selected ? { ...l, quantity: n } : l)));
              close();
              return true;
            }}
          />
        )}
        {(panel === "lineDiscount" || panel === "basketDiscount") && (
          <DiscountPanel
            key={panel}
            title={
              panel === "lineDiscount" && line
                ? t("pos.discount.lineTitle", { name: line.variant.name })
                : t("pos.discount.basketTitle")
            }
            initial={panel === "lineDiscount" ? line?.discount : basket}
            onApply={(discount) => {
              if (panel === "lineDiscount") {
                setLines((all) => all.map((l, i) => (i === selected ? { ...l, discount } : l)));
              } else setBasket(discount);
              close();
            }}
          />
        )}
        {panel === "clear" && (
          <Panel title={t("pos.clear.title")}>
            <div className="pos-actions">
              <button
                type="button"
                className="button"
                onClick={() => {
                  setLines([]);
                  setBasket(undefined);
                  setSelected(-1);
                  close();
                }}
              >
                {t("pos.clear.confirm")}
              </button>
              <button type="button" className="button button-secondary" onClick={close}>
                {t("pos.cancel")}
              </button>
            </div>
          </Panel>
        )}
        {panel === "pay" && (
          <Panel title={t("pos.pay.title")} className="pos-pay">
            <p className="pos-due">
              {t("pos.pay.remaining")} <strong data-testid="pos-remaining">{money(remaining)}</strong>
            </p>
            {tenders.length > 0 && (
              <ul className="pos-tenders">
                {tenders.map((x, i) => (
                  <li key={i}>
                    {t(`pos.tender.${x.method}`)} {money(x.amount)}{" "}
                    <button
                      type="button"
                      className="button button-ghost"
                      onClick={() => setTenders((all) => all.filter((_, j) => j !== i))}
                    >
                      {t("pos.pay.removeTender")}
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <form onSubmit={payCash}>
              <div className="field">
                <label htmlFor="pos-pay-amount">{t("pos.pay.amount")}</label>
                <input
                  id="pos-pay-amount"
                  ref={payAmount}
                  key={`${tenders.length}-${remaining}`}
                  inputMode="decimal"
                  autoComplete="off"
                  defaultValue={(remaining / 100).toFixed(2).replace(".", i18n.lang === "fr" ? "," : ".")}
                  aria-describedby="pos-pay-hint"
                  onFocus={(e) => e.target.select()}
                  autoFocus
                />
                <p id="pos-pay-hint" className="hint">
                  {t("pos.pay.hint")}
                </p>
              </div>
              <div className="pos-actions">
                <button type="submit" className="button">
                  {t("pos.pay.cash")} <Key>{t("pos.key.enter")}/F9</Key>
                </button>
                <button type="button" className="button button-secondary" onClick={payCard} disabled={!pos.online}>
                  {t("pos.pay.card")} <Key>F7</Key>
                </button>
                <button type="button" className="button button-ghost" onClick={close}>
                  {t("pos.cancel")} <Key>{t("pos.key.escape")}</Key>
                </button>
              </div>
            </form>
            <StoreCreditForm
              disabled={!pos.online}
              onAdd={(creditCode) => {
                const amount = Math.min(tenderAmount() ?? 0, remaining);
                if (amount > 0) addTender({ method: "store_credit", code: creditCode, amount });
              }}
            />
            <p className="hint">{pos.online ? t("pos.pay.testCard") : t("pos.offline.card")}</p>
          </Panel>
        )}
        {panel === "approval" && approvalBody && (
          <ManagerApproval
            reason={t("pos.approval.discount")}
            onCancel={() => {
              setApprovalBody(null);
              setTenders([]);
              close();
            }}
            onApproved={async (run) => {
              const sale = await run(async (client) =>
                unwrap(await client.retail.POST("/api/retail/sales", { body: approvalBody })),
              );
              setApprovalBody(null);
              finish({ kind: "registered", sale });
            }}
          />
        )}
        {!panel && done && (
          <section className="panel pos-done" aria-labelledby="pos-done-title" data-testid="pos-done">
            <h2 id="pos-done-title">
              {done.kind === "registered"
                ? t("pos.done.registered", { number: done.sale.receiptNumber })
                : t("pos.done.queued")}
            </h2>
            <p className="pos-change">
              {t("pos.pay.change")}{" "}
              <strong data-testid="pos-change">
                {money(done.kind === "registered" ? done.sale.change : done.receipt.change)}
              </strong>
            </p>
            <div className="pos-actions">
              <button type="button" className="button" onClick={() => print(done)}>
                {t("pos.done.print")} <Key>Ctrl+P</Key>
              </button>
              {done.kind === "registered" && (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => void printDuplicate(done.sale.id)}
                >
                  {t("pos.done.duplicate")}
                </button>
              )}
            </div>
            <p className="hint">{t("pos.done.next")}</p>
          </section>
        )}
        {!panel && (
          <section className="panel pos-keys" aria-labelledby="pos-keys-title">
            <h2 id="pos-keys-title">{t("pos.keys.title")}</h2>
            <dl>
              {(
                [
                  [t("pos.key.enter"), "pos.keys.enter"],
                  ["F2", "pos.keys.search"],
                  ["F3", "pos.keys.quantity"],
                  ["F4", "pos.keys.lineDiscount"],
                  ["F6", "pos.keys.basketDiscount"],
                  ["F8", "pos.keys.remove"],
                  ["F9", "pos.keys.pay"],
                  ["F7", "pos.keys.card"],
                  ["↑ ↓", "pos.keys.select"],
                  ["Ctrl+P", "pos.keys.print"],
                  [t("pos.key.escape"), "pos.keys.escape"],
                ] as const
              ).map(([k, label]) => (
                <div key={k}>
                  <dt>
                    <Key>{k}</Key>
                  </dt>
                  <dd>{t(label)}</dd>
                </div>
              ))}
            </dl>
            <p className="hint" data-testid="pos-catalog" data-count={pos.catalog.count}>
              {pos.catalog.loading
                ? t("pos.catalog.loading")
                : pos.catalog.count > 0 && pos.catalog.at
                  ? t("pos.catalog.status", { count: pos.catalog.count, date: i18n.date(pos.catalog.at) })
                  : t("pos.catalog.none")}
            </p>
            {pos.online && (
              <button
                type="button"
                className="button button-ghost"
                disabled={pos.catalog.loading}
                onClick={() => void pos.refreshCatalog().then(focusScan)}
              >
                {t("pos.catalog.refresh")}
              </button>
            )}
            {lines.length > 0 && (
              <button type="button" className="button button-ghost" onClick={() => setPanel("clear")}>
                {t("pos.clear.title")}
              </button>
            )}
          </section>
        )}
      </aside>
    </div>
  );
}

/** A number typed and Enter (a quantity). */
function NumberPanel({
  title,
  label,
  initial,
  onSubmit,
}: {
  title: string;
  label: string;
  initial: string;
  onSubmit(text: string): boolean;
}) {
  const { t } = useI18n();
  const id = useId();
  const [value, setValue] = useState(initial);
  const [invalid, setInvalid] = useState(false);
  return (
    <Panel title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setInvalid(!onSubmit(value));
        }}
      >
        <div className="field">
          <label htmlFor={id}>{label}</label>
          <input
            id={id}
            type="number"
            inputMode="numeric"
            min={0}
            max={999}
            value={value}
            aria-invalid={invalid}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        {invalid && (
          <p className="alert alert-error" role="alert">
            {t("pos.quantity.invalid")}
          </p>
        )}
        <button type="submit" className="button">
          {t("pos.apply")} <Key>{t("pos.key.enter")}</Key>
        </button>
      </form>
    </Panel>
  );
}

/** A discount: a percent (two decimals at most) or an amount; 0 or empty removes it. */
function DiscountPanel({
  title,
  initial,
  onApply,
}: {
  title: string;
  initial: Discount | undefined;
  onApply(discount: Discount | undefined): void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [kind, setKind] = useState<"percent" | "amount">(initial && "amount" in initial ? "amount" : "percent");
  const [value, setValue] = useState(
    initial ? ("percent" in initial ? String(initial.percent) : (initial.amount / 100).toFixed(2)) : "",
  );
  const [invalid, setInvalid] = useState(false);
  return (
    <Panel title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim() === "" || Number(value.replace(",", ".")) === 0) return onApply(undefined);
          if (kind === "percent") {
            const percent = Number(value.replace(",", "."));
            if (!/^\d{1,3}([.,]\d{1,2})?$/.test(value.trim()) || percent > 100) return setInvalid(true);
            return onApply({ percent });
          }
          const amount = parseAmount(value);
          if (amount === undefined) return setInvalid(true);
          onApply({ amount });
        }}
      >
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-value`}>{t("pos.discount.value")}</label>
            <input
              id={`${id}-value`}
              inputMode="decimal"
              autoComplete="off"
              value={value}
              aria-invalid={invalid}
              onChange={(e) => {
                setValue(e.target.value);
                setInvalid(false);
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-kind`}>{t("pos.discount.kind")}</label>
            <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as "percent" | "amount")}>
              <option value="percent">{t("pos.discount.percent")}</option>
              <option value="amount">{t("pos.discount.amount")}</option>
            </select>
          </div>
        </div>
        {invalid && (
          <p className="alert alert-error" role="alert">
            {t("pos.discount.invalid")}
          </p>
        )}
        <p className="hint">{t("pos.discount.hint")}</p>
        <button type="submit" className="button">
          {t("pos.apply")} <Key>{t("pos.key.enter")}</Key>
        </button>
      </form>
    </Panel>
  );
}

/** Search by name in the local catalog (an ARIA combobox: arrows, Enter adds). */
function SearchPanel({ onPick }: { onPick(variant: LocalVariant): void }) {
  const { t, money } = useI18n();
  const id = useId();
  const [text, setText] = useState("");
  const [results, setResults] = useState<LocalVariant[]>([]);
  const [active, setActive] = useState(0);
  useEffect(() => {
    let live = true;
    void searchByName(text).then((found) => {
      if (!live) return;
      setResults(found);
      setActive(0);
    });
    return () => {
      live = false;
    };
  }, [text]);
  return (
    <Panel title={t("pos.search.title")}>
      <div className="field">
        <label htmlFor={`${id}-q`}>{t("pos.search.label")}</label>
        <input
          id={`${id}-q`}
          role="combobox"
          aria-expanded={results.length > 0}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={results[active] ? `${id}-${active}` : undefined}
          autoComplete="off"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") setActive((a) => Math.min(results.length - 1, a + 1));
            else if (e.key === "ArrowUp") setActive((a) => Math.max(0, a - 1));
            else if (e.key === "Enter" && results[active]) onPick(results[active]);
            else return;
            e.preventDefault();
          }}
        />
      </div>
      <ul id={`${id}-list`} role="listbox" aria-label={t("pos.search.results")} className="pos-results">
        {results.map((v, i) => (
          <li
            key={v.id}
            id={`${id}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "pos-result-active" : undefined}
            onClick={() => onPick(v)}
          >
            {v.name} <span className="muted pos-sku">{v.sku}</span> <strong>{money(v.price)}</strong>
          </li>
        ))}
      </ul>
      {text.trim() !== "" && results.length === 0 && <p className="empty">{t("pos.search.none")}</p>}
    </Panel>
  );
}

/** A store credit's code as a tender (online: retail checks its balance). */
function StoreCreditForm({ disabled, onAdd }: { disabled: boolean; onAdd(code: string): void }) {
  const { t } = useI18n();
  const id = useId();
  const [value, setValue] = useState("");
  return (
    <form
      className="pos-credit"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onAdd(value.trim().toUpperCase());
        setValue("");
      }}
    >
      <div className="field-row">
        <div className="field">
          <label htmlFor={id}>{t("pos.pay.creditCode")}</label>
          <input
            id={id}
            autoComplete="off"
            value={value}
            disabled={disabled}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        <button type="submit" className="button button-secondary" disabled={disabled}>
          {t("pos.pay.credit")}
        </button>
      </div>
    </form>
  );
}
