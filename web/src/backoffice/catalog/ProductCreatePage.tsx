import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Title, useAction } from "../ui";
import {
  emptyProduct,
  emptyVariant,
  ProductFields,
  type ImageChoice,
  ImagePicker,
  imageForm,
  productBody,
  type ProductDraft,
  type VariantDraft,
  VariantFields,
  variantBody,
} from "./parts";

/**
 * /backoffice/catalog/new: a product with its variants (`POST /api/catalog/products`, one transaction),
 * then its image (`POST …/products/{id}/images`); the product's page follows.
 */
export function ProductCreatePage() {
  const { t } = useI18n();
  const { call } = useSession();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<ProductDraft>(emptyProduct);
  const [variants, setVariants] = useState<VariantDraft[]>([emptyVariant]);
  const [image, setImage] = useState<ImageChoice | null>(null);
  const [invalid, setInvalid] = useState(false);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const bodies = variants.map(variantBody);
    if (bodies.some((b) => typeof b === "string")) return setInvalid(true);
    setInvalid(false);
    let created: string | null = null;
    let imageFailed = false;
    await action.run(async () => {
      const product = await call((client) =>
        client.catalog.POST("/api/catalog/products", {
          body: { ...productBody(draft), variants: bodies as Exclude<(typeof bodies)[number], string>[] },
        }),
      );
      created = product.id;
      if (image) {
        try {
          await call((client) =>
            client.catalog.POST("/api/catalog/products/{id}/images", {
              params: { path: { id: product.id } },
              body: imageForm(image) as never,
            }),
          );
        } catch {
          imageFailed = true;
        }
      }
    });
    if (created) {
      void navigate(`/backoffice/catalog/${created}`, { state: { notice: imageFailed ? "imageFailed" : "created" } });
    }
  }

  return (
    <>
      <Title>{t("backoffice.catalog.newTitle")}</Title>
      <form onSubmit={submit} className="bo-form">
        <fieldset className="panel">
          <legend>{t("backoffice.catalog.product")}</legend>
          <ProductFields draft={draft} onChange={setDraft} />
        </fieldset>
        {variants.map((variant, index) => (
          <fieldset className="panel" key={index}>
            <legend>{t("backoffice.catalog.variantN", { n: index + 1 })}</legend>
            <VariantFields
              draft={variant}
              onChange={(next) => setVariants(variants.map((v, i) => (i === index ? next : v)))}
            >
              {variants.length > 1 && (
                <button
                  type="button"
                  className="button button-ghost"
                  onClick={() => setVariants(variants.filter((_, i) => i !== index))}
                >
                  {t("backoffice.catalog.removeVariant", { n: index + 1 })}
                </button>
              )}
            </VariantFields>
          </fieldset>
        ))}
        <p>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setVariants([...variants, emptyVariant])}
          >
            {t("backoffice.catalog.addVariant")}
          </button>
        </p>
        <fieldset className="panel">
          <legend>{t("backoffice.catalog.image")}</legend>
          <ImagePicker choice={image} onChange={setImage} />
        </fieldset>
        {invalid && (
          <p className="alert alert-error" role="alert">
            {t("backoffice.catalog.badPrice")}
          </p>
        )}
        {action.error !== null && <ErrorMessage error={action.error} />}
        <button type="submit" className="button" disabled={action.busy}>
          {action.busy ? t("backoffice.saving") : t("backoffice.catalog.create")}
        </button>
      </form>
    </>
  );
}
