import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, codeOf, newKey, ProblemError, unwrap } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { ErrorMessage, useErrorText } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { type CartItem, useCart } from "../cart/cart";
import { CartLines, EmptyCart } from "../components/CartLines";
import {
  PUBLIC_CAP,
  type PublicStock,
  type PublicStore,
  StockLabel,
  StoreDetails,
  storesWithStock,
  useStoreDirectory,
  useStoreStock,
} from "../stores";
import type { CheckoutBody, Order } from "../types";

const COUNTRIES = ["FR", "BE", "LU", "CH", "DE", "ES", "IT", "NL", "PT", "GB", "IE", "AT"];
/** Answers that mean "the same attempt is still running": asked again with the same key. */
const IN_PROGRESS = new Set(["checkout_in_progress", "idempotency_key_in_progress"]);
const PAYMENT_CODES = new Set([
  "card_declined",
  "insufficient_funds",
  "payment_provider_error",
  "payment_provider_timeout",
]);
const LINE_CODES = new Set(["insufficient_stock", "items_unavailable"]);

interface Short {
  variantId: string;
  requested: number;
  available: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps a confirmed order for its confirmation page (a guest cannot read it back from the API). */
export function rememberOrder(order: Order) {
  sessionStorage.setItem(`comptoir.order.${order.id}`, JSON.stringify(order));
}

function Field({
  label,
  children,
  hint,
}: {
  label: string;
  hint?: string;
  children: (props: { id: string; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-describedby": hint ? hintId : undefined })}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** What delivery and pickup cost for this subtotal: orders' own rule (`GET /api/orders/shipping-options`). */
function useShippingOptions(subtotal: number | undefined) {
  return useQuery({
    queryKey: ["shipping-options", subtotal],
    enabled: subtotal !== undefined,
    queryFn: async () =>
      unwrap(await api.orders.GET("/api/orders/shipping-options", { params: { query: { subtotal } } })),
  });
}

/** Short of a line at a store: sold out there, or fewer than asked (a capped count says "that many or more"). */
const isShort = (item: CartItem, stock: PublicStock | undefined) =>
  !stock || stock.status === "out" || (stock.available < item.quantity && stock.available < PUBLIC_CAP);

/** The stores to collect at, each with whether the cart's lines are there (radio buttons, required). */
function PickupStores({
  items,
  value,
  onChange,
}: {
  items: CartItem[];
  value: string;
  onChange(locationId: string): void;
}) {
  const { t } = useI18n();
  const directory = useStoreDirectory();
  const stock = useStoreStock(items.map((i) => i.variantId));
  const group = useId();
  if (directory.isLoading) return <Loading />;
  if (directory.error) return <ErrorMessage error={directory.error} onRetry={() => directory.refetch()} />;
  const stores = storesWithStock(directory.data, stock.data);
  if (stores.length === 0) return <p className="alert alert-error">{t("checkout.pickupNone")}</p>;
  return (
    <>
      {stock.error !== null && <ErrorMessage error={stock.error} onRetry={() => stock.refetch()} />}
      <ul className="store-list" role="list">
        {stores.map(({ store, stock: lines }) => (
          <PickupStore
            key={store.id}
            store={store}
            group={group}
            checked={value === store.locationId}
            onChange={onChange}
            short={
              stock.data
                ? items
                    .map((item) => ({ item, stock: lines.find((l) => l.variantId === item.variantId) }))
                    .filter(({ item, stock: line }) => isShort(item, line))
                : null
            }
          />
        ))}
      </ul>
    </>
  );
}

function PickupStore({
  store,
  group,
  checked,
  onChange,
  short,
}: {
  store: PublicStore;
  group: string;
  checked: boolean;
  onChange(locationId: string): void;
  short: { item: CartItem; stock: PublicStock | undefined }[] | null;
}) {
  const { t } = useI18n();
  const linesId = useId();
  return (
    <li className="store store-choice">
      <label className="store-pick">
        <input
          type="radio"
          name={group}
          value={store.locationId}
          required
          checked={checked}
          onChange={() => onChange(store.locationId)}
          aria-describedby={short ? linesId : undefined}
        />
        <span className="store-main">
          <span className="store-name">{store.name}</span>
          <StoreDetails store={store} />
        </span>
      </label>
      {short && (
        <div id={linesId} className="store-lines">
          {short.length === 0 ? (
            <span className="stock stock-in">{t("checkout.pickupAllHere")}</span>
          ) : (
            <>
              <span className="stock stock-out">{t("checkout.pickupNotAll")}</span>
              <ul role="list">
                {short.map(({ item, stock }) => (
                  <li key={item.variantId}>
                    {item.name} : <StockLabel stock={stock} where="store" />
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </li>
  );
}

/**
 * /checkout: contact (a guest's e-mail), delivery to an address (its fee, free above the threshold,
 * told by orders before paying) or pickup at a store (the directory, with each store's stock of the
 * cart's lines), the total, test card, then one order. One
 * Idempotency-Key per attempt: kept while the attempt's outcome is unknown (double click, network
 * failure, "still in progress": the platform answers the same order), replaced once the platform
 * answered a refusal, since the next attempt (another card) is another request. A refusal is shown
 * next to what caused it: the card under the payment, short stock on its line.
 */
export default function CheckoutPage() {
  const { t, money, lang } = useI18n();
  const { user, call } = useSession();
  const cart = useCart();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const errorText = useErrorText();
  useDocumentTitle(t("checkout.title"));

  const attemptKey = useRef(newKey());
  const submitting = useRef(false);
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [shorts, setShorts] = useState<Short[]>([]);
  const paymentErrorId = useId();
  const lineErrorId = useId();
  const regions = new Intl.DisplayNames([lang], { type: "region" });

  const [form, setForm] = useState({
    email: "",
    name: user?.name ?? "",
    line1: "",
    line2: "",
    postalCode: "",
    city: "",
    country: "FR",
    number: "",
    expMonth: "12",
    expYear: String(new Date().getFullYear() + 3),
    cvc: "",
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [name]: e.target.value }));
  const [saveAddress, setSaveAddress] = useState(false);
  const [mode, setMode] = useState<"delivery" | "pickup">("delivery");
  const [pickupLocationId, setPickupLocationId] = useState("");
  const modeGroup = useId();
  const shipping = useShippingOptions(cart.cart?.subtotal);

  // A customer's saved addresses: the default delivery one fills the form (unless already typed in).
  const addresses = useQuery({
    queryKey: ["addresses", user?.id],
    enabled: Boolean(user),
    queryFn: async () => (await call((c) => c.identity.GET("/api/identity/me/addresses"))).data,
  });
  useEffect(() => {
    const saved = addresses.data?.find((a) => a.defaultShipping) ?? addresses.data?.[0];
    if (!saved) return;
    setForm((f) =>
      f.line1 || f.postalCode || f.city
        ? f
        : {
            ...f,
            name: saved.name,
            line1: saved.line1,
            line2: saved.line2 ?? "",
            postalCode: saved.postalCode,
            city: saved.city,
            country: saved.country,
          },
    );
  }, [addresses.data]);

  const data = cart.cart;
  if (cart.isLoading) return <Loading />;
  if (cart.error) return <ErrorMessage error={cart.error} onRetry={() => cart.refresh()} />;
  if (!data || data.items.length === 0) {
    return (
      <section>
        <h1>{t("checkout.title")}</h1>
        <p>{t("checkout.emptyCart")}</p>
        <EmptyCart />
      </section>
    );
  }
  const currency = data.currency ?? "EUR";
  const code = codeOf(failure);
  const paymentFailed = code !== undefined && PAYMENT_CODES.has(code);
  const linesFailed = code !== undefined && LINE_CODES.has(code);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (submitting.current) return; // a second click while the first is on its way: the same order
    submitting.current = true;
    setBusy(true);
    setFailure(null);
    setShorts([]);
    const address =
      mode === "pickup"
        ? null
        : {
            name: form.name.trim(),
            line1: form.line1.trim(),
            line2: form.line2.trim() || null,
            postalCode: form.postalCode.trim(),
            city: form.city.trim(),
            country: form.country,
          };
    const body: CheckoutBody = {
      cartId: data!.id,
      language: lang,
      ...(user ? {} : { email: form.email.trim() }),
      ...(address ? { shippingAddress: address } : { pickupLocationId }),
      payment: {
        method: "card",
        card: {
          number: form.number.replace(/\s+/g, ""),
          expMonth: Number(form.expMonth),
          expYear: Number(form.expYear),
          cvc: form.cvc.trim(),
        },
      },
    };
    const headers = {
      "idempotency-key": attemptKey.current,
      ...(cart.guest ? { "x-cart-token": cart.guest.token } : {}),
    };
    try {
      for (let tries = 0; ; tries++) {
        try {
          const order = (await call((c) =>
            c.orders.POST("/api/orders/checkout", { params: { header: headers }, body }),
          )) as Order;
          rememberOrder(order);
          attemptKey.current = newKey();
          if (user && saveAddress && address) {
            // A convenience: the order is placed whether or not the address is kept.
            await call((c) =>
              c.identity.POST("/api/identity/me/addresses", {
                body: { ...address, defaultShipping: (addresses.data ?? []).length === 0 },
              }),
            ).catch(() => undefined);
            void queryClient.invalidateQueries({ queryKey: ["addresses"] });
          }
          await Promise.all([cart.refresh(), queryClient.invalidateQueries({ queryKey: ["orders"] })]);
          navigate(`/order/${order.id}`);
          return;
        } catch (error) {
          const errorCode = codeOf(error);
          if (errorCode && IN_PROGRESS.has(errorCode) && tries < 30) {
            setWaiting(true);
            await sleep(1000);
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      // A refusal is final for this attempt: the next one gets its own key. A failure without an
      // answer (network, 5xx) keeps the key: trying again asks for the same order.
      if (error instanceof ProblemError && error.status < 500) attemptKey.current = newKey();
      if (codeOf(error) === "insufficient_stock") {
        const short = (error as ProblemError).problem.short;
        setShorts(Array.isArray(short) ? (short as Short[]) : []);
      }
      if (codeOf(error) && LINE_CODES.has(codeOf(error)!)) await cart.refresh();
      setFailure(error);
    } finally {
      submitting.current = false;
      setBusy(false);
      setWaiting(false);
    }
  }

  const options = shipping.data;
  const fee = options ? (mode === "pickup" ? options.pickup.fee : options.delivery.fee) : undefined;
  const feeText = (amount: number) => (amount === 0 ? t("checkout.free") : money(amount, currency));

  const lineExtra = (item: CartItem) => {
    const short = shorts.find((s) => s.variantId === item.variantId);
    if (!short) return null;
    return (
      <p className="note note-error" role="alert">
        {t("checkout.short", { available: short.available, requested: short.requested })}
      </p>
    );
  };

  return (
    <section className="checkout">
      <h1>{t("checkout.title")}</h1>
      <form className="checkout-layout" onSubmit={submit} noValidate={false}>
        <div className="checkout-main">
          {failure !== null && !paymentFailed && !linesFailed && <ErrorMessage error={failure} />}

          <fieldset className="panel">
            <legend>{t("checkout.contact")}</legend>
            {user ? (
              <p>{user.email}</p>
            ) : (
              <>
                <Field label={t("checkout.email")}>
                  {(props) => (
                    <input
                      {...props}
                      type="email"
                      autoComplete="email"
                      required
                      value={form.email}
                      onChange={set("email")}
                    />
                  )}
                </Field>
                <p className="hint">
                  <Link to="/account/signin?next=/checkout">{t("checkout.haveAccount")}</Link>
                </p>
              </>
            )}
          </fieldset>

          <fieldset className="panel">
            <legend>{t("checkout.mode")}</legend>
            <label className="variant">
              <input
                type="radio"
                name={modeGroup}
                value="delivery"
                checked={mode === "delivery"}
                onChange={() => setMode("delivery")}
              />
              <span>{t("checkout.mode.delivery")}</span>
              <span className="muted">{options ? feeText(options.delivery.fee) : ""}</span>
            </label>
            <label className="variant">
              <input
                type="radio"
                name={modeGroup}
                value="pickup"
                checked={mode === "pickup"}
                onChange={() => setMode("pickup")}
              />
              <span>{t("checkout.mode.pickup")}</span>
              <span className="muted">{options ? feeText(options.pickup.fee) : ""}</span>
            </label>
            {options && options.delivery.freeFrom > 0 && (
              <p className="hint">{t("checkout.freeFrom", { amount: money(options.delivery.freeFrom, currency) })}</p>
            )}
          </fieldset>

          {mode === "pickup" ? (
            <fieldset className="panel">
              <legend>{t("checkout.pickupStore")}</legend>
              <PickupStores items={data.items} value={pickupLocationId} onChange={setPickupLocationId} />
            </fieldset>
          ) : (
            <fieldset className="panel">
              <legend>{t("checkout.delivery")}</legend>
              <Field label={t("checkout.name")}>
                {(props) => <input {...props} autoComplete="name" required value={form.name} onChange={set("name")} />}
              </Field>
              <Field label={t("checkout.line1")}>
                {(props) => (
                  <input {...props} autoComplete="address-line1" required value={form.line1} onChange={set("line1")} />
                )}
              </Field>
              <Field label={t("checkout.line2")}>
                {(props) => (
                  <input {...props} autoComplete="address-line2" value={form.line2} onChange={set("line2")} />
                )}
              </Field>
              <div className="field-row">
                <Field label={t("checkout.postalCode")}>
                  {(props) => (
                    <input
                      {...props}
                      autoComplete="postal-code"
                      required
                      value={form.postalCode}
                      onChange={set("postalCode")}
                    />
                  )}
                </Field>
                <Field label={t("checkout.city")}>
                  {(props) => (
                    <input {...props} autoComplete="address-level2" required value={form.city} onChange={set("city")} />
                  )}
                </Field>
              </div>
              <Field label={t("checkout.country")}>
                {(props) => (
                  <select {...props} autoComplete="country" value={form.country} onChange={set("country")}>
                    {COUNTRIES.map((c) => (
                      <option key={c} value={c}>
                        {regions.of(c) ?? c}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {user && (
                <label className="checkbox">
                  <input type="checkbox" checked={saveAddress} onChange={(e) => setSaveAddress(e.target.checked)} />
                  {t("checkout.saveAddress")}
                </label>
              )}
            </fieldset>
          )}

          <fieldset className="panel" aria-describedby={paymentFailed ? paymentErrorId : undefined}>
            <legend>{t("checkout.payment")}</legend>
            <p className="hint">{t("checkout.testCards")}</p>
            <Field label={t("checkout.cardNumber")}>
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  autoComplete="cc-number"
                  required
                  pattern="[0-9 ]{12,23}"
                  aria-invalid={paymentFailed || undefined}
                  value={form.number}
                  onChange={set("number")}
                />
              )}
            </Field>
            <div className="field-row">
              <Field label={t("checkout.expMonth")}>
                {(props) => (
                  <select {...props} autoComplete="cc-exp-month" value={form.expMonth} onChange={set("expMonth")}>
                    {Array.from({ length: 12 }, (_, i) => String(i + 1)).map((m) => (
                      <option key={m} value={m}>
                        {m.padStart(2, "0")}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t("checkout.expYear")}>
                {(props) => (
                  <select {...props} autoComplete="cc-exp-year" value={form.expYear} onChange={set("expYear")}>
                    {Array.from({ length: 12 }, (_, i) => String(new Date().getFullYear() + i)).map((y) => (
                      <option key={y} value={y}>
                        {y}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t("checkout.cvc")}>
                {(props) => (
                  <input
                    {...props}
                    inputMode="numeric"
                    autoComplete="cc-csc"
                    required
                    pattern="[0-9]{3,4}"
                    maxLength={4}
                    className="cvc"
                    value={form.cvc}
                    onChange={set("cvc")}
                  />
                )}
              </Field>
            </div>
            {paymentFailed && (
              <p className="alert alert-error" role="alert" id={paymentErrorId}>
                {errorText(failure)}
              </p>
            )}
          </fieldset>
        </div>

        <aside className="summary" aria-label={t("checkout.summary")}>
          <h2>{t("checkout.summary")}</h2>
          {linesFailed && (
            <p className="alert alert-error" role="alert" id={lineErrorId}>
              {errorText(failure)}
            </p>
          )}
          <CartLines items={data.items} editable={false} lineExtra={lineExtra} />
          <dl className="totals" aria-live="polite">
            <div>
              <dt>{t("checkout.subtotal")}</dt>
              <dd>{money(data.subtotal, currency)}</dd>
            </div>
            <div>
              <dt>{mode === "pickup" ? t("checkout.mode.pickup") : t("checkout.shipping")}</dt>
              <dd>{fee === undefined ? t("checkout.feeLater") : feeText(fee)}</dd>
            </div>
            {fee !== undefined && (
              <div className="total">
                <dt>{t("checkout.total")}</dt>
                <dd>{money(data.subtotal + fee, currency)}</dd>
              </div>
            )}
          </dl>
          <button type="submit" className="button button-block" disabled={busy} aria-busy={busy}>
            {busy ? t("checkout.paying") : t("checkout.pay")}
          </button>
          {waiting && (
            <p role="status" className="muted">
              {t("checkout.inProgress")}
            </p>
          )}
        </aside>
      </form>
    </section>
  );
}
