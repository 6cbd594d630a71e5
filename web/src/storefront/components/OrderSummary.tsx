import { useI18n } from "../../app/i18n/i18n";
import type { Order } from "../types";

/** An order's lines and totals (subtotal, shipping, total), as the orders service priced them. */
export function OrderSummary({ order }: { order: Order }) {
  const { t, money } = useI18n();
  return (
    <>
      <ul className="lines" role="list">
        {order.lines.map((line) => (
          <li key={line.variantId} className="line line-compact">
            <div className="line-main">
              <p className="line-name">{line.name}</p>
              <p className="muted">{t("product.sku", { sku: line.sku })}</p>
            </div>
            <div className="line-qty">× {line.quantity}</div>
            <div className="line-total">
              <strong>{money(line.unitPrice * line.quantity, order.currency)}</strong>
            </div>
          </li>
        ))}
      </ul>
      <dl className="totals">
        <div>
          <dt>{t("checkout.subtotal")}</dt>
          <dd>{money(order.subtotal, order.currency)}</dd>
        </div>
        <div>
          <dt>{t("checkout.shipping")}</dt>
          <dd>{money(order.shipping, order.currency)}</dd>
        </div>
        <div className="total">
          <dt>{t("confirmation.total")}</dt>
          <dd>{money(order.total, order.currency)}</dd>
        </div>
      </dl>
    </>
  );
}
