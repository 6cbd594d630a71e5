import { Link } from "react-router";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { useCart } from "../cart/cart";
import { CartLines, EmptyCart } from "../components/CartLines";

/** /cart: the lines, re-priced and checked against stock at every read; on to the checkout. */
export default function CartPage() {
  const { t, money } = useI18n();
  const cart = useCart();
  useDocumentTitle(t("cart.title"));
  const data = cart.cart;

  return (
    <section className="cart-page">
      <h1>{t("cart.title")}</h1>
      {cart.merged && (
        <p className="alert alert-success" role="status">
          {t("cart.merged")}
        </p>
      )}
      {cart.isLoading && <Loading />}
      {cart.error !== null && cart.error !== undefined && (
        <ErrorMessage error={cart.error} onRetry={() => cart.refresh()} />
      )}
      {!cart.isLoading && !cart.error && (!data || data.items.length === 0) && <EmptyCart />}
      {data && data.items.length > 0 && (
        <div className="cart-layout">
          <CartLines items={data.items} editable onQuantity={cart.setQuantity} onRemove={cart.remove} />
          <aside className="summary" aria-label={t("checkout.summary")}>
            <dl>
              <div>
                <dt>{t("cart.subtotal")}</dt>
                <dd>{money(data.subtotal, data.currency ?? "EUR")}</dd>
              </div>
            </dl>
            <p className="muted">{t("cart.shippingAtCheckout")}</p>
            <Link to="/checkout" className="button button-block">
              {t("cart.checkout")}
            </Link>
          </aside>
        </div>
      )}
    </section>
  );
}
