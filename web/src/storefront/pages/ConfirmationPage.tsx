import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { type MessageKey, useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { OrderSummary } from "../components/OrderSummary";
import { StoreDetails, useStoreDirectory } from "../stores";
import type { Order } from "../types";
import { orderNumber } from "../../app/order-number";

function remembered(id: string): Order | undefined {
  const raw = sessionStorage.getItem(`comptoir.order.${id}`);
  return raw ? (JSON.parse(raw) as Order) : undefined;
}

/** Where a click-and-collect order is collected: the store of the directory with that stock location. */
function PickupPlace({ locationId }: { locationId: string }) {
  const { t } = useI18n();
  const store = useStoreDirectory().data?.find((s) => s.locationId === locationId);
  return (
    <div className="panel">
      <h2>{t("confirmation.pickupAt")}</h2>
      {store && (
        <p className="store-main">
          <span className="store-name">{store.name}</span>
          <StoreDetails store={store} />
        </p>
      )}
    </div>
  );
}

/** /order/:id: the order just paid (kept by the checkout for a guest; read again for a customer). */
export default function ConfirmationPage() {
  const { t, date } = useI18n();
  const { id } = useParams();
  const { user, call } = useSession();
  useDocumentTitle(t("confirmation.title"));
  const order = useQuery({
    queryKey: ["order", id, user?.id ?? null],
    initialData: remembered(id!),
    enabled: Boolean(user),
    queryFn: async () =>
      (await call((c) => c.orders.GET("/api/orders/{id}", { params: { path: { id: id! } } }))) as Order,
  });

  if (order.isLoading) return <Loading />;
  if (!order.data) {
    return (
      <div className="empty-state">
        {order.error ? <ErrorMessage error={order.error} /> : <p>{t("confirmation.missing")}</p>}
        <Link to="/account" className="button">
          {t("confirmation.myOrders")}
        </Link>
      </div>
    );
  }
  const o = order.data;
  const address = o.shippingAddress;
  return (
    <section className="confirmation">
      <h1>{t("confirmation.title")}</h1>
      <p className="lead">{t("confirmation.number", { id: orderNumber(o.id) })}</p>
      <p>
        <span className={`status status-${o.status}`}>{t(`status.${o.status}` as MessageKey)}</span>{" "}
        {t("confirmation.placedAt", { date: date(o.placedAt) })}
      </p>
      <p>{t("confirmation.email", { email: o.email })}</p>
      <div className="panel">
        <OrderSummary order={o} />
      </div>
      {address && (
        <div className="panel">
          <h2>{t("confirmation.shippingTo")}</h2>
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
        </div>
      )}
      {o.pickupLocationId && <PickupPlace locationId={o.pickupLocationId} />}
      <p>
        <Link to={user ? "/account" : "/"} className="button button-secondary">
          {user ? t("confirmation.myOrders") : t("cart.continue")}
        </Link>
      </p>
    </section>
  );
}
