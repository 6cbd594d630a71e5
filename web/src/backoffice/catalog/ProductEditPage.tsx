import { type FormEvent, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import type { Product } from "../types";
import { Answer, Notice, Outcome, Title, useAction, useRead } from "../ui";
import {
  emptyVariant,
  type ImageChoice,
  ImagePicker,
  imageForm,
  pairsText,
  ProductFields,
  productBody,
  type ProductDraft,
  StatusBadge,
  type VariantDraft,
  VariantFields,
  variantBody,
} from "./parts";
import { VariantPanel } from "./VariantPanel";

/** /backoffice/catalog/:id: a product's fields, status, images and variants, each saved on its own. */
export function ProductEditPage() {
  const { id = "" } = useParams();
  const product = useRead(["product", id], (client) =>
    client.catalog.GET("/api/catalog/products/{id}", { params: { path: { id } } }),
  );
  return <Answer query={product}>{(answer) => <Editor key={answer.id} product={answer} />}</Answer>;
}

const draftOf = (product: Product): ProductDraft => ({
  name: product.name,
  slug: product.slug,
  brand: product.brand ?? "",
  description: product.description ?? "",
  categoryId: product.categoryId,
  vatRate: product.vatRate,
  status: product.status === "active" ? "active" : "draft",
  attributes: pairsText(product.attributes),
});

function Editor({ product }: { product: Product }) {
  const { t } = useI18n();
  const { call } = useSession();
  const location = useLocation();
  const arrived = (location.state as { notice?: string } | null)?.notice;
  const [draft, setDraft] = useState<ProductDraft>(() => draftOf(product));
  const save = useAction();
  const archive = useAction();
  const [confirming, setConfirming] = useState(false);
  const archived = product.status === "archived";

  async function submit(event: FormEvent) {
    event.preventDefault();
    await save.run(async () => {
      await call((client) =>
        client.catalog.PATCH("/api/catalog/products/{id}", {
          params: { path: { id: product.id } },
          body: productBody(draft),
        }),
      );
      return t("backoffice.catalog.saved");
    });
  }

  return (
    <>
      <p>
        <Link to="/backoffice/catalog">{t("backoffice.catalog.backToList")}</Link>
      </p>
      <Title actions={<StatusBadge status={product.status} />}>{product.name}</Title>
      {arrived === "created" && <Notice text={t("backoffice.catalog.created")} />}
      {arrived === "imageFailed" && (
        <p className="alert alert-error" role="alert">
          {t("backoffice.catalog.imageFailed")}
        </p>
      )}
      {archived && <p className="alert alert-error">{t("backoffice.catalog.archivedText")}</p>}
      {product.status === "active" && (
        <p>
          <a href={`/p/${product.slug}`}>{t("backoffice.catalog.inShop")}</a>
        </p>
      )}
      <form onSubmit={submit} className="panel">
        <h2>{t("backoffice.catalog.product")}</h2>
        <fieldset disabled={archived}>
          <legend className="visually-hidden">{t("backoffice.catalog.product")}</legend>
          <ProductFields draft={draft} onChange={setDraft} />
        </fieldset>
        <Outcome action={save} />
        {!archived && (
          <button type="submit" className="button" disabled={save.busy}>
            {save.busy ? t("backoffice.saving") : t("backoffice.catalog.save")}
          </button>
        )}
      </form>
      <Images product={product} />
      <section className="panel" aria-labelledby={`variants-${product.id}`}>
        <h2 id={`variants-${product.id}`}>{t("backoffice.catalog.variants")}</h2>
        {product.variants.map((variant) => (
          <VariantPanel key={variant.id} variant={variant} readOnly={archived} />
        ))}
        {!archived && <AddVariant productId={product.id} />}
      </section>
      {!archived && (
        <section className="panel">
          <h2>{t("backoffice.catalog.archive")}</h2>
          <p>{t("backoffice.catalog.archiveText")}</p>
          <Outcome action={archive} />
          {confirming ? (
            <div className="bo-actions">
              <button
                type="button"
                className="button bo-danger"
                disabled={archive.busy}
                onClick={() =>
                  void archive.run(async () => {
                    await call((client) =>
                      client.catalog.POST("/api/catalog/products/{id}/archive", {
                        params: { path: { id: product.id } },
                      }),
                    );
                  })
                }
              >
                {t("backoffice.catalog.archiveConfirm")}
              </button>
              <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
                {t("backoffice.cancel")}
              </button>
            </div>
          ) : (
            <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
              {t("backoffice.catalog.archive")}
            </button>
          )}
        </section>
      )}
    </>
  );
}

/** The product's images (thumbnails, remove) and an upload with its preview. */
function Images({ product }: { product: Product }) {
  const { t } = useI18n();
  const { call } = useSession();
  const [choice, setChoice] = useState<ImageChoice | null>(null);
  const [picker, setPicker] = useState(0);
  const upload = useAction();
  const remove = useAction();
  const archived = product.status === "archived";
  return (
    <section className="panel" aria-labelledby={`images-${product.id}`}>
      <h2 id={`images-${product.id}`}>{t("backoffice.catalog.images")}</h2>
      {product.images.length === 0 ? (
        <p className="empty">{t("backoffice.catalog.noImage")}</p>
      ) : (
        <ul className="bo-images">
          {product.images.map((image, index) => (
            <li key={image.id}>
              <img src={image.thumbnailUrl} alt={image.alt ?? t("backoffice.catalog.imageN", { n: index + 1 })} />
              {!archived && (
                <button
                  type="button"
                  className="button button-ghost"
                  disabled={remove.busy}
                  onClick={() =>
                    void remove.run(async () => {
                      await call((client) =>
                        client.catalog.DELETE("/api/catalog/products/{id}/images/{imageId}", {
                          params: { path: { id: product.id, imageId: image.id } },
                        }),
                      );
                      return t("backoffice.catalog.imageRemoved");
                    })
                  }
                >
                  {t("backoffice.catalog.removeImage", { n: index + 1 })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <Outcome action={remove} />
      {!archived && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!choice) return;
            void upload
              .run(async () => {
                await call((client) =>
                  client.catalog.POST("/api/catalog/products/{id}/images", {
                    params: { path: { id: product.id } },
                    body: imageForm(choice) as never,
                  }),
                );
                return t("backoffice.catalog.imageAdded");
              })
              .then((ok) => {
                if (!ok) return;
                setChoice(null);
                setPicker((n) => n + 1);
              });
          }}
        >
          <ImagePicker key={picker} choice={choice} onChange={setChoice} />
          <Outcome action={upload} />
          <button type="submit" className="button" disabled={!choice || upload.busy}>
            {upload.busy ? t("backoffice.sending") : t("backoffice.catalog.upload")}
          </button>
        </form>
      )}
    </section>
  );
}

/** `POST /api/catalog/products/{id}/variants`: one more variant. */
function AddVariant({ productId }: { productId: string }) {
  const { t } = useI18n();
  const { call } = useSession();
  const [draft, setDraft] = useState<VariantDraft>(emptyVariant);
  const [invalid, setInvalid] = useState(false);
  const add = useAction();
  return (
    <form
      className="bo-subpanel"
      onSubmit={(event) => {
        event.preventDefault();
        const body = variantBody(draft);
        setInvalid(typeof body === "string");
        if (typeof body === "string") return;
        void add
          .run(async () => {
            await call((client) =>
              client.catalog.POST("/api/catalog/products/{id}/variants", { params: { path: { id: productId } }, body }),
            );
            return t("backoffice.catalog.variantAdded");
          })
          .then((ok) => ok && setDraft(emptyVariant));
      }}
    >
      <h3>{t("backoffice.catalog.addVariant")}</h3>
      <VariantFields draft={draft} onChange={setDraft} />
      {invalid && (
        <p className="alert alert-error" role="alert">
          {t("backoffice.catalog.badPrice")}
        </p>
      )}
      <Outcome action={add} />
      <button type="submit" className="button" disabled={add.busy}>
        {t("backoffice.catalog.addVariant")}
      </button>
    </form>
  );
}
