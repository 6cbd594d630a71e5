import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { newKey } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import { Answer, Badge, Field, LocationSelect, Outcome, Pager, Title, useAction, useLabels, useRead } from "../ui";
import { useCanAdjust } from "./InventoryRoutes";

const LIMIT = 25;
const ADJUST_TYPES = ["receipt", "adjustment", "return", "sale"] as const;

interface Level {
  variantId: string;
  locationId: string;
  productName: string;
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number | null;
}

/** The variant a SKU or barcode names (catalog), for the filters. */
export function useCode(code: string) {
  return useRead(
    ["code", code],
    (client) => client.catalog.GET("/api/catalog/variants", { params: { query: { codes: code } } }),
    code !== "",
  );
}

/** /backoffice/inventory: levels per location and variant; a manager or admin adjusts one or sets its threshold. */
export function LevelsPage() {
  const { t } = useI18n();
  const canAdjust = useCanAdjust();
  const [params, setParams] = useSearchParams();
  const locationId = params.get("location") ?? "";
  const code = params.get("code") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;
  const [text, setText] = useState(code);
  const [selected, setSelected] = useState<Level | null>(null);
  const variant = useCode(code);
  const variantId = code ? variant.data?.data[0]?.id : undefined;
  const unknownCode = code !== "" && variant.data !== undefined && !variantId;
  const labels = useLabels([]);
  const levels = useRead(
    ["stock", locationId, variantId, page],
    async (client) => {
      // Both ids would name one level (a 404 when there is none): the variant's levels, filtered here.
      const result = await client.inventory.GET("/api/inventory/stock", {
        params: {
          query: variantId
            ? { variantId, page: 1, limit: 200 }
            : { ...(locationId ? { locationId } : {}), page, limit: LIMIT },
        },
      });
      const answer = result.data && "data" in result.data ? result.data : undefined;
      if (!answer || !variantId || !locationId) return { ...result, data: answer };
      const data = answer.data.filter((level) => level.locationId === locationId);
      return { ...result, data: { data, pagination: { page: 1, limit: LIMIT, total: data.length } } };
    },
    !code || variant.data !== undefined,
  );
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
    setSelected(null);
  };

  return (
    <>
      <Title>{t("backoffice.inventory.levels")}</Title>
      <form
        className="bo-filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          set({ code: text.trim() });
        }}
      >
        <LocationSelect
          label={t("backoffice.inventory.location")}
          anyLabel={t("backoffice.inventory.everywhere")}
          value={locationId}
          onChange={(id) => set({ location: id })}
        />
        <Field label={t("backoffice.inventory.code")}>
          {(ids) => (
            <input {...ids} type="search" className="bo-code" value={text} onChange={(e) => setText(e.target.value)} />
          )}
        </Field>
        <button type="submit" className="button bo-filters-go">
          {t("backoffice.filter")}
        </button>
      </form>
      {unknownCode ? (
        <p className="alert alert-error" role="alert">
          {t("backoffice.items.unknown", { codes: code })}
        </p>
      ) : (
        <Answer query={levels}>
          {(answer) =>
            answer.data.length === 0 ? (
              <p className="empty">{t("backoffice.inventory.noLevel")}</p>
            ) : (
              <>
                <div className="bo-scroll">
                  <table className="bo-table">
                    <caption className="visually-hidden">{t("backoffice.inventory.levels")}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t("backoffice.inventory.product")}</th>
                        <th scope="col">{t("backoffice.inventory.location")}</th>
                        <th scope="col">{t("backoffice.inventory.state")}</th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.onHand")}
                        </th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.reserved")}
                        </th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.available")}
                        </th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.threshold")}
                        </th>
                        {canAdjust && (
                          <th scope="col">
                            <span className="visually-hidden">{t("backoffice.actions")}</span>
                          </th>
                        )}
                      </tr>
                    </thead>
                    <tbody>
                      {answer.data.map((level) => (
                        <tr key={`${level.locationId}/${level.variantId}`}>
                          <th scope="row">
                            {level.productName} <span className="bo-code muted">{level.sku}</span>
                          </th>
                          <td>{labels.location(level.locationId)}</td>
                          <td>
                            <LevelBadge level={level} />
                          </td>
                          <td className="num">{level.onHand}</td>
                          <td className="num">{level.reserved}</td>
                          <td className="num">{level.available}</td>
                          <td className="num">{level.lowStockThreshold ?? "—"}</td>
                          {canAdjust && (
                            <td>
                              <button type="button" className="button button-ghost" onClick={() => setSelected(level)}>
                                {t("backoffice.inventory.change", { sku: level.sku })}
                              </button>
                            </td>
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager pagination={answer.pagination} onPage={(next) => set({ page: String(next) })} />
              </>
            )
          }
        </Answer>
      )}
      {selected && (
        <LevelEditor
          key={`${selected.locationId}/${selected.variantId}`}
          level={selected}
          where={labels.location(selected.locationId)}
          onClose={() => setSelected(null)}
        />
      )}
    </>
  );
}

function LevelBadge({ level }: { level: Level }) {
  const { t } = useI18n();
  if (level.available <= 0) return <Badge tone="bad" label={t("backoffice.inventory.out")} />;
  if (level.lowStockThreshold !== null && level.available <= level.lowStockThreshold)
    return <Badge tone="warn" label={t("backoffice.inventory.low")} />;
  return <Badge tone="ok" label={t("backoffice.inventory.ok")} />;
}

/** Adjust one level (`POST /api/inventory/stock/adjust`, with a reason) or set its threshold (`PUT /api/inventory/thresholds`). */
function LevelEditor({ level, where, onClose }: { level: Level; where: string; onClose(): void }) {
  const { t } = useI18n();
  const { call } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  const [type, setType] = useState<(typeof ADJUST_TYPES)[number]>("receipt");
  const [quantity, setQuantity] = useState("");
  const [reason, setReason] = useState("");
  const [threshold, setThreshold] = useState(level.lowStockThreshold === null ? "" : String(level.lowStockThreshold));
  const [key, setKey] = useState(newKey);
  const adjust = useAction();
  const limit = useAction();
  useEffect(() => heading.current?.focus(), []);
  const quantityHint =
    type === "adjustment"
      ? t("backoffice.inventory.signedHint")
      : type === "sale"
        ? t("backoffice.inventory.removesHint")
        : t("backoffice.inventory.addsHint");

  return (
    <section className="panel bo-editor" aria-labelledby="level-editor">
      <h2 id="level-editor" ref={heading} tabIndex={-1}>
        {t("backoffice.inventory.editorTitle", { name: level.productName, sku: level.sku, where })}
      </h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const amount = Math.abs(Number(quantity));
          const change = type === "sale" || (type === "adjustment" && Number(quantity) < 0) ? -amount : amount;
          void adjust
            .run(async () => {
              const answer = await call((client) =>
                client.inventory.POST("/api/inventory/stock/adjust", {
                  params: { header: { "idempotency-key": key } },
                  body: {
                    variantId: level.variantId,
                    locationId: level.locationId,
                    type,
                    changeQuantity: change,
                    reason: reason.trim(),
                  },
                }),
              );
              return t("backoffice.inventory.adjusted", {
                onHand: answer.level.onHand,
                available: answer.level.available,
              });
            })
            .then((ok) => {
              if (!ok) return;
              setKey(newKey());
              setQuantity("");
              setReason("");
            });
        }}
      >
        <h3>{t("backoffice.inventory.adjust")}</h3>
        <div className="field-row bo-row">
          <Field label={t("backoffice.inventory.type")}>
            {(ids) => (
              <select {...ids} value={type} onChange={(e) => setType(e.target.value as typeof type)}>
                {ADJUST_TYPES.map((k) => (
                  <option key={k} value={k}>
                    {t(`backoffice.inventory.type.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("backoffice.inventory.quantity")} hint={quantityHint}>
            {(ids) => (
              <input
                {...ids}
                required
                type="number"
                min={type === "adjustment" ? -1000000 : 1}
                max={1000000}
                value={quantity}
                onChange={(e) => setQuantity(e.target.value)}
              />
            )}
          </Field>
        </div>
        <Field label={t("backoffice.inventory.reason")}>
          {(ids) => (
            <input {...ids} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          )}
        </Field>
        <Outcome action={adjust} />
        <button type="submit" className="button" disabled={adjust.busy || Number(quantity) === 0}>
          {t("backoffice.inventory.record")}
        </button>
      </form>
      <form
        className="bo-subpanel"
        onSubmit={(event) => {
          event.preventDefault();
          void limit.run(async () => {
            await call((client) =>
              client.inventory.PUT("/api/inventory/thresholds", {
                body: {
                  variantId: level.variantId,
                  locationId: level.locationId,
                  threshold: threshold.trim() === "" ? null : Number(threshold),
                },
              }),
            );
            return t("backoffice.inventory.thresholdSaved");
          });
        }}
      >
        <h3>{t("backoffice.inventory.threshold")}</h3>
        <div className="bo-inline-form">
          <Field label={t("backoffice.inventory.thresholdField")} hint={t("backoffice.inventory.thresholdHint")}>
            {(ids) => (
              <input
                {...ids}
                type="number"
                min={0}
                max={1000000}
                value={threshold}
                onChange={(e) => setThreshold(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button button-secondary" disabled={limit.busy}>
            {t("backoffice.inventory.setThreshold")}
          </button>
        </div>
        <Outcome action={limit} />
      </form>
      <button type="button" className="button button-ghost" onClick={onClose}>
        {t("backoffice.close")}
      </button>
    </section>
  );
}
