import { type ReactNode, useState } from "react";
import { Link } from "react-router";
import { useErrorText } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import type { CartItem } from "../cart/cart";

/** What the cart says about a line: a price changed, stock short, no longer sold. */
export function LineNotes({ item }: { item: CartItem }) {
  const { t, money } = useI18n();
  return (
    <>
      {item.priceChanged && (
        <p className="note">{t("cart.priceChanged", { price: money(item.priceAtAdd, item.currency) })}</p>
      )}
      {item.insufficientStock && (
        <p className="note note-error">{t("cart.insufficientStock", { available: item.available ?? 0 })}</p>
      )}
      {item.unavailable && <p className="note note-error">{t("cart.unavailable")}</p>}
    </>
  );
}

function QuantityField({ item, onChange }: { item: CartItem; onChange(quantity: number): Promise<unknown> }) {
  const { t } = useI18n();
  const [value, setValue] = useState(String(item.quantity));
  const commit = () => {
    const quantity = Math.max(1, Math.min(99, Number(value) || 1));
    setValue(String(quantity));
    if (quantity !== item.quantity) void onChange(quantity);
  };
  return (
    <input
      type="number"
      inputMode="numeric"
      min={1}
      max={99}
      className="quantity"
      aria-label={t("cart.quantityOf", { name: item.name })}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === "Enter" && commit()}
    />
  );
}

/**
 * The cart's lines: editable (quantity, remove) on the cart page, read-only in the checkout's
 * summary, where `lineExtra` puts the checkout's answer about a line (out of stock) next to it.
 */
export function CartLines({
  items,
  editable,
  onQuantity,
  onRemove,
  lineExtra,
}: {
  items: CartItem[];
  editable: boolean;
  onQuantity?(variantId: string, quantity: number): Promise<unknown>;
  onRemove?(variantId: string): Promise<unknown>;
  lineExtra?(item: CartItem): ReactNode;
}) {
  const { t, money } = useI18n();
  const errorText = useErrorText();
  const [failure, setFailure] = useState<{ variantId: string; error: unknown } | null>(null);
  const guard = (variantId: string, run: () => Promise<unknown>) => async () => {
    setFailure(null);
    try {
      await run();
    } catch (error) {
      setFailure({ variantId, error });
    }
  };

  return (
    <ul className="lines" role="list">
      {items.map((item) => (
        <li key={item.variantId} className="line">
          <div className="line-image">
            {item.thumbnailUrl ? (
              <img src={item.thumbnailUrl} alt="" width="64" height="64" />
            ) : (
              <span aria-hidden="true">{item.name.slice(0, 1)}</span>
            )}
          </div>
          <div className="line-main">
            <p className="line-name">{item.name}</p>
            <p className="muted">{t("product.sku", { sku: item.sku })}</p>
            <LineNotes item={item} />
            {lineExtra?.(item)}
            {failure?.variantId === item.variantId && (
              <p className="note note-error" role="alert">
                {errorText(failure.error)}
              </p>
            )}
          </div>
          <div className="line-qty">
            {editable ? (
              <QuantityField
                item={item}
                onChange={(quantity) => guard(item.variantId, () => onQuantity!(item.variantId, quantity))()}
              />
            ) : (
              <span>× {item.quantity}</span>
            )}
            <span className="muted">{money(item.unitPrice, item.currency)}</span>
          </div>
          <div className="line-total">
            <strong>{money(item.lineTotal, item.currency)}</strong>
            {editable && (
              <button
                type="button"
                className="button button-ghost"
                aria-label={t("cart.removeItem", { name: item.name })}
                onClick={guard(item.variantId, () => onRemove!(item.variantId))}
              >
                {t("cart.remove")}
              </button>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

export function EmptyCart() {
  const { t } = useI18n();
  return (
    <div className="empty-state">
      <p>{t("cart.empty")}</p>
      <Link to="/search" className="button">
        {t("cart.continue")}
      </Link>
    </div>
  );
}
