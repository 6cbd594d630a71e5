import { useState } from "react";
import { Link, Route, Routes, useParams } from "react-router";
import { useSession } from "../../../app/auth/session";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useOpsAction, useOpsQuery } from "../data";
import { ORDER_STATUSES, type Order, type OrderStatus, type OrdersQuery } from "../types";
import {
  Badge,
  ConfirmButton,
  Done,
  Field,
  Loaded,
  OpsPage,
  Pager,
  Panel,
  ShortId,
  shortOf,
  useUrlFilters,
  Scroll,
} from "../ui";

/** Online orders (`/backoffice/orders`): the list with its filters, and an order with what may be done to it. */
export default function OrdersSection() {
  return (
    <Routes>
      <Route index element={<OrderList />} />
      <Route path=":id" element={<OrderDetail />} />
    </Routes>
  );
}

const TONE: Record<OrderStatus, "ok" | "wait" | "bad" | "info"> = {
  pending: "wait",
  paid: "info",
  shipped: "info",
  delivered: "ok",
  cancelled: "bad",
  refunded: "bad",
};

export function OrderBadge({ status }: { status: OrderStatus }) {
  const { t } = useI18n();
  return <Badge tone={TONE[status]}>{t(`ops.order.status.${status}`)}</Badge>;
}

/** A day of the browser's calendar (YYYY-MM-DD) → its first instant, as the API's date-time. */
const startOf = (day: string, plusDays = 0) => {
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + plusDays);
  return date.toISOString();
};

const FILTERS = ["status", "channel", "from", "to", "customer"] as const;

function OrderList() {
  const { t, money, date } = useI18n();
  const { user } = useSession();
  const isAdmin = user?.role === "admin";
  const { values, page, set } = useUrlFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  const email = values.customer.trim().toLowerCase();

  // A customer's e-mail → their id (identity's users, an admin's read): the orders API filters by id.
  const customer = useOpsQuery(
    ["customer", email],
    (client) => client.identity.GET("/api/identity/users", { params: { query: { q: email, limit: 20 } } }),
    { enabled: isAdmin && email !== "" },
  );
  const customerId = email ? customer.data?.data.find((u) => u.email.toLowerCase() === email)?.id : undefined;
  const unknownCustomer = email !== "" && customer.data !== undefined && customerId === undefined;

  const query: OrdersQuery = {
    page,
    limit: 20,
    ...(values.status ? { status: values.status as OrderStatus } : {}),
    ...(values.channel ? { channel: values.channel as "online" | "store" } : {}),
    ...(values.from ? { from: startOf(values.from) } : {}),
    ...(values.to ? { to: startOf(values.to, 1) } : {}),
    ...(customerId ? { customerId } : {}),
  };
  const orders = useOpsQuery(["orders", query], (client) => client.orders.GET("/api/orders", { params: { query } }), {
    enabled: email === "" || customerId !== undefined,
  });

  return (
    <OpsPage title={t("ops.orders.title")}>
      <form
        className="ops-filters"
        role="search"
        aria-label={t("ops.orders.filters")}
        onSubmit={(event) => {
          event.preventDefault();
          set(draft);
        }}
      >
        <Field label={t("ops.orders.filter.status")}>
          {(id) => (
            <select id={id} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
              <option value="">{t("ops.all")}</option>
              {ORDER_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {t(`ops.order.status.${status}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("ops.orders.filter.channel")}>
          {(id) => (
            <select id={id} value={draft.channel} onChange={(e) => setDraft({ ...draft, channel: e.target.value })}>
              <option value="">{t("ops.all")}</option>
              <option value="online">{t("ops.order.channel.online")}</option>
              <option value="store">{t("ops.order.channel.store")}</option>
            </select>
          )}
        </Field>
        <Field label={t("ops.orders.filter.from")}>
          {(id) => (
            <input
              id={id}
              type="date"
              value={draft.from}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("ops.orders.filter.to")}>
          {(id) => (
            <input id={id} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
          )}
        </Field>
        {isAdmin && (
          <Field label={t("ops.orders.filter.customer")}>
            {(id) => (
              <input
                id={id}
                type="email"
                autoComplete="off"
                value={draft.customer}
                onChange={(e) => setDraft({ ...draft, customer: e.target.value })}
              />
            )}
          </Field>
        )}
        <button type="submit" className="button">
          {t("ops.filter")}
        </button>
      </form>
      {!isAdmin && <p className="hint">{t("ops.orders.customerFilterAdmins")}</p>}
      {customer.error ? (
        <ErrorMessage error={customer.error} onRetry={() => void customer.refetch()} />
      ) : unknownCustomer ? (
        <p className="empty" role="status">
          {t("ops.orders.noCustomer", { email })}
        </p>
      ) : (
        <Loaded query={orders}>
          {({ data, pagination }) => (
            <>
              <p className="hint" role="status">
                {t("ops.orders.count", { count: pagination.total })}
              </p>
              {data.length > 0 && (
                <Scroll label={t("ops.orders.title")}>
                  <table className="ops-table">
                    <thead>
                      <tr>
                        <th scope="col">{t("ops.orders.col.order")}</th>
                        <th scope="col">{t("ops.orders.col.placed")}</th>
                        <th scope="col">{t("ops.orders.col.customer")}</th>
                        <th scope="col">{t("ops.orders.col.channel")}</th>
                        <th scope="col">{t("ops.orders.col.status")}</th>
                        <th scope="col" className="num">
                          {t("ops.orders.col.total")}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.map((order) => (
                        <tr key={order.id}>
                          <td>
                            <Link to={order.id} aria-label={t("ops.orders.open", { id: shortOf(order.id) })}>
                              <ShortId id={order.id} />
                            </Link>
                          </td>
                          <td>{date(order.placedAt)}</td>
                          <td>{order.email}</td>
                          <td>{t(`ops.order.channel.${order.channel}`)}</td>
                          <td>
                            <OrderBadge status={order.status} />
                          </td>
                          <td className="num">{money(order.total, order.currency)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </Scroll>
              )}
              <Pager pagination={pagination} onPage={(next) => set({ page: String(next) })} />
            </>
          )}
        </Loaded>
      )}
    </OpsPage>
  );
}

function OrderDetail() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const order = useOpsQuery(["order", id], (client) =>
    client.orders.GET("/api/orders/{id}", { params: { path: { id } } }),
  );
  return (
    <OpsPage title={t("ops.order.title", { id: shortOf(id) })} back={{ to: "..", label: t("ops.orders.back") }}>
      <Loaded query={order}>{(data) => <OrderView order={data} />}</Loaded>
    </OpsPage>
  );
}

function OrderView({ order }: { order: Order }) {
  const { t, money, date, rate } = useI18n();
  const [done, setDone] = useState<string | null>(null);
  const address = order.shippingAddress;
  const when = (iso: string | null) => (iso ? date(iso) : "—");
  return (
    <>
      <Done text={done} />
      <div className="ops-grid">
        <Panel title={t("ops.order.summary")}>
          <dl className="ops-facts">
            <dt>{t("ops.orders.col.status")}</dt>
            <dd>
              <OrderBadge status={order.status} />
            </dd>
            <dt>{t("ops.order.id")}</dt>
            <dd>
              <code>{order.id}</code>
            </dd>
            <dt>{t("ops.orders.col.customer")}</dt>
            <dd>{order.email}</dd>
            <dt>{t("ops.orders.col.channel")}</dt>
            <dd>{t(`ops.order.channel.${order.channel}`)}</dd>
            <dt>{t("ops.orders.col.placed")}</dt>
            <dd>{when(order.placedAt)}</dd>
            <dt>{t("ops.order.paidAt")}</dt>
            <dd>{when(order.paidAt)}</dd>
            <dt>{t("ops.order.shippedAt")}</dt>
            <dd>{when(order.shippedAt)}</dd>
            <dt>{t("ops.order.carrier")}</dt>
            <dd>{order.carrier ?? "—"}</dd>
            <dt>{t("ops.order.tracking")}</dt>
            <dd>{order.trackingNumber ?? "—"}</dd>
            <dt>{t("ops.order.deliveredAt")}</dt>
            <dd>{when(order.deliveredAt)}</dd>
            {order.cancelledAt && (
              <>
                <dt>{t("ops.order.cancelledAt")}</dt>
                <dd>
                  {when(order.cancelledAt)}
                  {order.cancelReason ? ` — ${order.cancelReason}` : ""}
                </dd>
              </>
            )}
            {order.refundedAt && (
              <>
                <dt>{t("ops.order.refunded")}</dt>
                <dd>
                  {money(order.refundedAmount, order.currency)} — {when(order.refundedAt)}
                </dd>
              </>
            )}
          </dl>
        </Panel>
        <Panel title={t("ops.order.delivery")}>
          {address ? (
            <address>
              {address.name}
              <br />
              {address.line1}
              {address.line2 && (
                <>
                  <br />
                  {address.line2}
                </>
              )}
              <br />
              {address.postalCode} {address.city}
              <br />
              {address.country}
            </address>
          ) : (
            <p>{order.pickupLocationId ? t("ops.order.pickup") : "—"}</p>
          )}
        </Panel>
      </div>
      <OrderActions order={order} onDone={setDone} />
      <Panel title={t("ops.order.lines")}>
        <Scroll label={t("ops.order.lines")}>
          <table className="ops-table">
            <thead>
              <tr>
                <th scope="col">{t("ops.order.item")}</th>
                <th scope="col">SKU</th>
                <th scope="col" className="num">
                  {t("ops.order.quantity")}
                </th>
                <th scope="col" className="num">
                  {t("ops.order.unitPrice")}
                </th>
                <th scope="col" className="num">
                  {t("ops.order.vatRate")}
                </th>
                <th scope="col" className="num">
                  {t("ops.orders.col.total")}
                </th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line) => (
                <tr key={line.variantId}>
                  <td>{line.name}</td>
                  <td>{line.sku}</td>
                  <td className="num">{line.quantity}</td>
                  <td className="num">{money(line.unitPrice, order.currency)}</td>
                  <td className="num">{rate(line.vatRate)}</td>
                  <td className="num">{money(line.unitPrice * line.quantity, order.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={5}>
                  {t("ops.order.subtotal")}
                </th>
                <td className="num">{money(order.subtotal, order.currency)}</td>
              </tr>
              <tr>
                <th scope="row" colSpan={5}>
                  {t("ops.order.shipping")}
                </th>
                <td className="num">{money(order.shipping, order.currency)}</td>
              </tr>
              <tr>
                <th scope="row" colSpan={5}>
                  {t("ops.order.total")}
                </th>
                <td className="num">
                  <strong>{money(order.total, order.currency)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
        </Scroll>
      </Panel>
    </>
  );
}

/** What may be done next, by the order's state: ship (paid), deliver (shipped), cancel and refund (before shipping). */
function OrderActions({ order, onDone }: { order: Order; onDone(text: string): void }) {
  const { t } = useI18n();
  const [carrier, setCarrier] = useState("");
  const [tracking, setTracking] = useState("");
  const [reason, setReason] = useState("");
  const path = { path: { id: order.id } };
  const ship = useOpsAction(
    (client, body: { carrier?: string; trackingNumber?: string }) =>
      client.orders.POST("/api/orders/{id}/ship", { params: path, body }),
    () => onDone(t("ops.order.shipped")),
  );
  const deliver = useOpsAction(
    (client, _: void) => client.orders.POST("/api/orders/{id}/deliver", { params: path }),
    () => onDone(t("ops.order.delivered")),
  );
  const cancel = useOpsAction(
    (client, body: { reason?: string }) => client.orders.POST("/api/orders/{id}/cancel", { params: path, body }),
    (next) => onDone(t(next.status === "cancelled" ? "ops.order.cancelled" : "ops.order.cancelledRefunding")),
  );
  const cancellable = order.status === "pending" || order.status === "paid";
  if (order.status !== "paid" && order.status !== "shipped" && !cancellable) return null;
  return (
    <Panel title={t("ops.order.actions")}>
      {order.status === "paid" && (
        <form
          className="ops-inline-form"
          aria-label={t("ops.order.ship")}
          onSubmit={(event) => {
            event.preventDefault();
            ship.mutate({
              ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
              ...(tracking.trim() ? { trackingNumber: tracking.trim() } : {}),
            });
          }}
        >
          <Field label={t("ops.order.carrier")}>
            {(id) => <input id={id} value={carrier} maxLength={100} onChange={(e) => setCarrier(e.target.value)} />}
          </Field>
          <Field label={t("ops.order.tracking")}>
            {(id) => <input id={id} value={tracking} maxLength={100} onChange={(e) => setTracking(e.target.value)} />}
          </Field>
          <button type="submit" className="button" disabled={ship.isPending}>
            {t("ops.order.ship")}
          </button>
        </form>
      )}
      {ship.error && <ErrorMessage error={ship.error} />}
      {order.status === "shipped" && (
        <p>
          <button type="button" className="button" disabled={deliver.isPending} onClick={() => deliver.mutate()}>
            {t("ops.order.deliver")}
          </button>
        </p>
      )}
      {deliver.error && <ErrorMessage error={deliver.error} />}
      {cancellable && (
        <div className="ops-inline-form">
          <Field label={t("ops.order.cancelReason")} hint={t("ops.order.cancelHint")}>
            {(id, hint) => (
              <input
                id={id}
                value={reason}
                maxLength={500}
                aria-describedby={hint}
                onChange={(e) => setReason(e.target.value)}
              />
            )}
          </Field>
          <ConfirmButton
            label={t(order.status === "paid" ? "ops.order.cancelRefund" : "ops.order.cancel")}
            question={t("ops.order.cancelQuestion")}
            confirmLabel={t("ops.order.cancelConfirm")}
            busy={cancel.isPending}
            onConfirm={() => cancel.mutate(reason.trim() ? { reason: reason.trim() } : {})}
          />
        </div>
      )}
      {cancel.error && <ErrorMessage error={cancel.error} />}
    </Panel>
  );
}
