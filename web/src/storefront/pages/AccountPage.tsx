import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate } from "react-router";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { type MessageKey, useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { OrderSummary } from "../components/OrderSummary";
import type { Order } from "../types";
import { orderNumber } from "../../app/order-number";

const CANCELLABLE = new Set(["pending", "paid"]);

function OrderCard({ order, onCancelled }: { order: Order; onCancelled(): void }) {
  const { t, money, date } = useI18n();
  const { call } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  async function cancel() {
    if (!window.confirm(t("account.cancelConfirm"))) return;
    setBusy(true);
    setError(null);
    try {
      await call((c) => c.orders.POST("/api/orders/{id}/cancel", { params: { path: { id: order.id } }, body: {} }));
      setDone(true);
      onCancelled();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const count = order.lines.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <li className="panel order">
      <details>
        <summary>
          <span className="order-id">
            {t("account.order")} {orderNumber(order.id)}
          </span>
          <span className="muted">{date(order.placedAt)}</span>
          <span className={`status status-${order.status}`}>{t(`status.${order.status}` as MessageKey)}</span>
          <span className="muted">{t("account.items", { count })}</span>
          <strong>{money(order.total, order.currency)}</strong>
        </summary>
        <OrderSummary order={order} />
      </details>
      {CANCELLABLE.has(order.status) && (
        <button type="button" className="button button-secondary" disabled={busy} onClick={cancel}>
          {t("account.cancel")}
        </button>
      )}
      <div role="status" aria-live="polite">
        {done && <p className="alert alert-success">{t("account.cancelled")}</p>}
      </div>
      {error !== null && <ErrorMessage error={error} />}
    </li>
  );
}

function Addresses() {
  const { t } = useI18n();
  const { user, call } = useSession();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const addresses = useQuery({
    queryKey: ["addresses", user?.id],
    queryFn: async () => (await call((c) => c.identity.GET("/api/identity/me/addresses"))).data,
  });

  async function remove(id: string) {
    setError(null);
    try {
      await call((c) => c.identity.DELETE("/api/identity/me/addresses/{id}", { params: { path: { id } } }));
      await queryClient.invalidateQueries({ queryKey: ["addresses"] });
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section className="section">
      <h2>{t("account.addresses")}</h2>
      {addresses.isLoading && <Loading />}
      {addresses.error && <ErrorMessage error={addresses.error} onRetry={() => addresses.refetch()} />}
      {addresses.data && addresses.data.length === 0 && <p className="empty">{t("account.noAddresses")}</p>}
      {addresses.data && addresses.data.length > 0 && (
        <ul className="address-list" role="list">
          {addresses.data.map((a) => (
            <li key={a.id} className="panel">
              <address>
                {a.name}
                <br />
                {a.line1}
                {a.line2 && (
                  <>
                    <br />
                    {a.line2}
                  </>
                )}
                <br />
                {a.postalCode} {a.city}, {a.country}
              </address>
              {a.defaultShipping && <p className="status">{t("account.defaultShipping")}</p>}
              <button
                type="button"
                className="button button-ghost"
                aria-label={t("account.deleteAddress", { name: a.name, line1: a.line1 })}
                onClick={() => remove(a.id)}
              >
                {t("account.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error !== null && <ErrorMessage error={error} />}
    </section>
  );
}

/** /account: who is signed in, their orders with status (cancel before shipping), sign out. */
export default function AccountPage() {
  const { t } = useI18n();
  const { user, call, signOut } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useDocumentTitle(t("account.title"));
  const orders = useQuery({
    queryKey: ["orders", user?.id],
    enabled: Boolean(user),
    // Statuses move on their own (shipped, delivered): read again on every visit.
    staleTime: 0,
    queryFn: async () => (await call((c) => c.orders.GET("/api/orders", { params: { query: { limit: 50 } } }))).data,
  });

  if (!user) return <Navigate to="/account/signin" replace />;
  return (
    <section>
      <div className="section-head">
        <h1>{t("account.hello", { name: user.name })}</h1>
        <button
          type="button"
          className="button button-secondary"
          onClick={async () => {
            await signOut();
            queryClient.removeQueries({ queryKey: ["orders"] });
            navigate("/");
          }}
        >
          {t("account.signOut")}
        </button>
      </div>
      <p className="muted">{user.email}</p>
      <Addresses />
      <h2>{t("account.orders")}</h2>
      {orders.isLoading && <Loading />}
      {orders.error && <ErrorMessage error={orders.error} onRetry={() => orders.refetch()} />}
      {orders.data && orders.data.length === 0 && <p className="empty">{t("account.noOrders")}</p>}
      {orders.data && orders.data.length > 0 && (
        <ul className="orders" role="list">
          {orders.data.map((order) => (
            <OrderCard
              key={order.id}
              order={order as Order}
              onCancelled={() => queryClient.invalidateQueries({ queryKey: ["orders"] })}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
