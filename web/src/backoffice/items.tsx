import type { useSession } from "../app/auth/session";
import { useI18n } from "../app/i18n/i18n";
import { Field } from "./ui";

/** A line as typed: a SKU or barcode and a quantity. */
export interface ItemDraft {
  code: string;
  quantity: string;
}

export const emptyItem: ItemDraft = { code: "", quantity: "1" };

/** The variant ids of the SKUs or barcodes typed, or the codes catalog does not know. */
export async function resolveItems(
  call: ReturnType<typeof useSession>["call"],
  items: readonly ItemDraft[],
): Promise<{ items: { variantId: string; quantity: number }[]; unknown: string[] }> {
  const codes = [...new Set(items.map((item) => item.code.trim()).filter(Boolean))];
  const found = await call((client) =>
    client.catalog.GET("/api/catalog/variants", { params: { query: { codes: codes.join(",") } } }),
  );
  const byCode = new Map<string, string>();
  for (const variant of found.data) {
    byCode.set(variant.sku, variant.id);
    if (variant.barcode) byCode.set(variant.barcode, variant.id);
  }
  return {
    items: items
      .filter((item) => byCode.has(item.code.trim()))
      .map((item) => ({ variantId: byCode.get(item.code.trim())!, quantity: Number(item.quantity) })),
    unknown: codes.filter((code) => !byCode.has(code)),
  };
}

/** Rows of "SKU or barcode" and quantity, with add and remove. */
export function ItemsEditor({ items, onChange }: { items: ItemDraft[]; onChange(next: ItemDraft[]): void }) {
  const { t } = useI18n();
  const set = (index: number, changes: Partial<ItemDraft>) =>
    onChange(items.map((item, i) => (i === index ? { ...item, ...changes } : item)));
  return (
    <>
      {items.map((item, index) => (
        <div className="field-row bo-item" key={index}>
          <Field label={t("backoffice.items.code", { n: index + 1 })}>
            {(ids) => (
              <input
                {...ids}
                required
                className="bo-code"
                pattern="[A-Za-z0-9._\/\-]{1,64}"
                value={item.code}
                onChange={(e) => set(index, { code: e.target.value })}
              />
            )}
          </Field>
          <Field label={t("backoffice.items.quantity", { n: index + 1 })}>
            {(ids) => (
              <input
                {...ids}
                required
                type="number"
                min={1}
                max={100000}
                value={item.quantity}
                onChange={(e) => set(index, { quantity: e.target.value })}
              />
            )}
          </Field>
          {items.length > 1 && (
            <button
              type="button"
              className="button button-ghost bo-item-remove"
              onClick={() => onChange(items.filter((_, i) => i !== index))}
            >
              {t("backoffice.items.remove", { n: index + 1 })}
            </button>
          )}
        </div>
      ))}
      <p>
        <button type="button" className="button button-secondary" onClick={() => onChange([...items, emptyItem])}>
          {t("backoffice.items.add")}
        </button>
      </p>
    </>
  );
}

/** Unknown codes, said next to the lines. */
export function UnknownCodes({ codes }: { codes: readonly string[] }) {
  const { t } = useI18n();
  if (codes.length === 0) return null;
  return (
    <p className="alert alert-error" role="alert">
      {t("backoffice.items.unknown", { codes: codes.join(", ") })}
    </p>
  );
}
