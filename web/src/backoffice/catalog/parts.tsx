import { type ReactNode, useState } from "react";
import { useI18n } from "../../app/i18n/i18n";
import type { Category, NewVariant, ProductStatus, VatRate } from "../types";
import { VAT_RATES } from "../types";
import { Badge, Field, amountText, pairsText, parseAmount, parsePairs, useRead } from "../ui";

/** A category with its path ("Mode › Femme › Robes"); products go in leaves only. */
export interface CategoryChoice {
  id: string;
  path: string;
  leaf: boolean;
}

/** The category tree, flattened in order: every category (filters) and the leaves (a product's). */
export function useCategories() {
  const query = useRead(["categories"], (client) => client.catalog.GET("/api/catalog/categories"));
  const all: CategoryChoice[] = [];
  const walk = (nodes: readonly Category[], parents: string[]) => {
    for (const node of nodes) {
      const path = [...parents, node.name];
      all.push({ id: node.id, path: path.join(" › "), leaf: node.children.length === 0 });
      walk(node.children as Category[], path);
    }
  };
  if (query.data) walk(query.data.data, []);
  return { ...query, data: query.data ? { all, leaves: all.filter((c) => c.leaf) } : undefined };
}

export function StatusBadge({ status }: { status: ProductStatus }) {
  const { t } = useI18n();
  const tone = status === "active" ? "ok" : status === "draft" ? "info" : "muted";
  return <Badge tone={tone} label={t(`backoffice.catalog.status.${status}`)} />;
}

/** A product's own fields, as typed (text), before they become the API's body. */
export interface ProductDraft {
  name: string;
  slug: string;
  brand: string;
  description: string;
  categoryId: string;
  vatRate: VatRate;
  status: "draft" | "active";
  attributes: string;
}

export const emptyProduct: ProductDraft = {
  name: "",
  slug: "",
  brand: "",
  description: "",
  categoryId: "",
  vatRate: 2000,
  status: "draft",
  attributes: "",
};

/** The body fields common to creating and changing a product. */
export function productBody(draft: ProductDraft) {
  return {
    name: draft.name.trim(),
    ...(draft.slug.trim() ? { slug: draft.slug.trim() } : {}),
    brand: draft.brand.trim() || null,
    description: draft.description.trim() || null,
    categoryId: draft.categoryId,
    vatRate: draft.vatRate,
    status: draft.status,
    attributes: parsePairs(draft.attributes),
  };
}

export { pairsText };

/** Name, slug, brand, description, category (a leaf), VAT rate, status, attributes. */
export function ProductFields({ draft, onChange }: { draft: ProductDraft; onChange(next: ProductDraft): void }) {
  const { t, rate } = useI18n();
  const categories = useCategories();
  const set = (changes: Partial<ProductDraft>) => onChange({ ...draft, ...changes });
  return (
    <>
      <div className="field-row bo-row">
        <Field label={t("backoffice.catalog.name")}>
          {(ids) => (
            <input
              {...ids}
              required
              maxLength={200}
              value={draft.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("backoffice.catalog.brand")}>
          {(ids) => (
            <input {...ids} maxLength={120} value={draft.brand} onChange={(e) => set({ brand: e.target.value })} />
          )}
        </Field>
      </div>
      <div className="field-row bo-row">
        <Field label={t("backoffice.catalog.category")}>
          {(ids) => (
            <select {...ids} required value={draft.categoryId} onChange={(e) => set({ categoryId: e.target.value })}>
              <option value="">{t("backoffice.catalog.chooseCategory")}</option>
              {categories.data?.leaves.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.path}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("backoffice.catalog.vatRate")}>
          {(ids) => (
            <select
              {...ids}
              value={draft.vatRate}
              onChange={(e) => set({ vatRate: Number(e.target.value) as VatRate })}
            >
              {VAT_RATES.map((r) => (
                <option key={r} value={r}>
                  {rate(r)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("backoffice.catalog.status")}>
          {(ids) => (
            <select
              {...ids}
              value={draft.status}
              onChange={(e) => set({ status: e.target.value as ProductDraft["status"] })}
            >
              <option value="draft">{t("backoffice.catalog.status.draft")}</option>
              <option value="active">{t("backoffice.catalog.status.active")}</option>
            </select>
          )}
        </Field>
      </div>
      <Field label={t("backoffice.catalog.slug")} hint={t("backoffice.catalog.slugHint")}>
        {(ids) => (
          <input
            {...ids}
            maxLength={120}
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            value={draft.slug}
            onChange={(e) => set({ slug: e.target.value })}
          />
        )}
      </Field>
      <Field label={t("backoffice.catalog.description")}>
        {(ids) => (
          <textarea
            {...ids}
            rows={4}
            maxLength={10000}
            value={draft.description}
            onChange={(e) => set({ description: e.target.value })}
          />
        )}
      </Field>
      <Field label={t("backoffice.catalog.attributes")} hint={t("backoffice.catalog.pairsHint")}>
        {(ids) => (
          <textarea {...ids} rows={3} value={draft.attributes} onChange={(e) => set({ attributes: e.target.value })} />
        )}
      </Field>
    </>
  );
}

/** A variant as typed: SKU, barcode, price and compare-at price (euros), options ("key: value" lines). */
export interface VariantDraft {
  sku: string;
  barcode: string;
  price: string;
  compareAtPrice: string;
  options: string;
}

export const emptyVariant: VariantDraft = { sku: "", barcode: "", price: "", compareAtPrice: "", options: "" };

/** The API's body for a new variant, or the message key of what is wrong with it. */
export function variantBody(draft: VariantDraft): NewVariant | "backoffice.catalog.badPrice" {
  const price = parseAmount(draft.price);
  const compareAt = draft.compareAtPrice.trim() ? parseAmount(draft.compareAtPrice) : null;
  if (price === null || (draft.compareAtPrice.trim() && compareAt === null)) return "backoffice.catalog.badPrice";
  return {
    sku: draft.sku.trim(),
    barcode: draft.barcode.trim() || null,
    price,
    compareAtPrice: compareAt,
    options: parsePairs(draft.options),
  };
}

export const amountField = (minor: number | null | undefined, lang: string) =>
  amountText(minor, lang === "fr" ? "," : ".");

/** The fields of one variant; `fixed` leaves out the SKU and price (an existing variant's own routes). */
export function VariantFields({
  draft,
  onChange,
  fixed = false,
  children,
}: {
  draft: VariantDraft;
  onChange(next: VariantDraft): void;
  fixed?: boolean;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const set = (changes: Partial<VariantDraft>) => onChange({ ...draft, ...changes });
  return (
    <>
      <div className="field-row bo-row">
        {!fixed && (
          <Field label={t("backoffice.catalog.sku")}>
            {(ids) => (
              <input
                {...ids}
                required
                maxLength={64}
                pattern="[A-Za-z0-9][A-Za-z0-9._\/\-]*"
                className="bo-code"
                value={draft.sku}
                onChange={(e) => set({ sku: e.target.value })}
              />
            )}
          </Field>
        )}
        <Field label={t("backoffice.catalog.barcode")} hint={fixed ? undefined : t("backoffice.catalog.barcodeHint")}>
          {(ids) => (
            <input
              {...ids}
              inputMode="numeric"
              pattern="[0-9]{8,14}"
              className="bo-code"
              required={fixed}
              value={draft.barcode}
              onChange={(e) => set({ barcode: e.target.value })}
            />
          )}
        </Field>
        {!fixed && (
          <Field label={t("backoffice.catalog.priceTtc")}>
            {(ids) => (
              <input
                {...ids}
                required
                inputMode="decimal"
                value={draft.price}
                onChange={(e) => set({ price: e.target.value })}
              />
            )}
          </Field>
        )}
        <Field label={t("backoffice.catalog.compareAt")}>
          {(ids) => (
            <input
              {...ids}
              inputMode="decimal"
              value={draft.compareAtPrice}
              onChange={(e) => set({ compareAtPrice: e.target.value })}
            />
          )}
        </Field>
      </div>
      <Field label={t("backoffice.catalog.options")} hint={t("backoffice.catalog.pairsHint")}>
        {(ids) => (
          <textarea {...ids} rows={2} value={draft.options} onChange={(e) => set({ options: e.target.value })} />
        )}
      </Field>
      {children}
    </>
  );
}

/** The image chosen (a file and its alternative text), shown before it is sent. */
export interface ImageChoice {
  file: File;
  preview: string;
  alt: string;
}

const IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/avif";
const MAX_IMAGE = 10 * 1024 * 1024;

/**
 * A file field for a product image with its preview (a data: URL: the page's CSP allows no blob:)
 * and its alternative text. JPEG, PNG, WebP or AVIF up to 10 MiB, as the API takes.
 */
export function ImagePicker({
  choice,
  onChange,
}: {
  choice: ImageChoice | null;
  onChange(next: ImageChoice | null): void;
}) {
  const { t } = useI18n();
  const [tooBig, setTooBig] = useState(false);
  return (
    <div className="bo-image-picker">
      <Field label={t("backoffice.catalog.imageFile")} hint={t("backoffice.catalog.imageHint")}>
        {(ids) => (
          <input
            {...ids}
            type="file"
            accept={IMAGE_TYPES}
            aria-invalid={tooBig || undefined}
            onChange={(e) => {
              const file = e.target.files?.[0];
              setTooBig(false);
              if (!file) return onChange(null);
              if (file.size > MAX_IMAGE) {
                setTooBig(true);
                e.target.value = "";
                return onChange(null);
              }
              const reader = new FileReader();
              reader.onload = () => onChange({ file, preview: String(reader.result), alt: choice?.alt ?? "" });
              reader.readAsDataURL(file);
            }}
          />
        )}
      </Field>
      {tooBig && (
        <p className="alert alert-error" role="alert">
          {t("error.payload_too_large")}
        </p>
      )}
      {choice && (
        <div className="bo-preview">
          <img src={choice.preview} alt={t("backoffice.catalog.previewAlt", { name: choice.file.name })} />
          <Field label={t("backoffice.catalog.imageAlt")}>
            {(ids) => (
              <input
                {...ids}
                maxLength={300}
                value={choice.alt}
                onChange={(e) => onChange({ ...choice, alt: e.target.value })}
              />
            )}
          </Field>
        </div>
      )}
    </div>
  );
}

/** The multipart body of an image upload. */
export function imageForm(choice: ImageChoice): FormData {
  const form = new FormData();
  form.append("file", choice.file, choice.file.name);
  if (choice.alt.trim()) form.append("alt", choice.alt.trim());
  return form;
}
