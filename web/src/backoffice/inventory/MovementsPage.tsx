import { useState } from "react";
import { useSearchParams } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import type { MovementType } from "../types";
import { Answer, Field, LocationSelect, Pager, Title, useLabels, useRead } from "../ui";
import { useCode } from "./LevelsPage";

const TYPES: readonly MovementType[] = [
  "receipt",
  "sale",
  "return",
  "adjustment",
  "transfer_out",
  "transfer_in",
  "reservation_commit",
];
const LIMIT = 25;

/** /backoffice/inventory/movements: the ledger, newest first, by location, type and variant. */
export function MovementsPage() {
  const { t, date } = useI18n();
  const [params, setParams] = useSearchParams();
  const locationId = params.get("location") ?? "";
  const type = (params.get("type") ?? "") as MovementType | "";
  const code = params.get("code") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;
  const [text, setText] = useState(code);
  const variant = useCode(code);
  const variantId = code ? variant.data?.data[0]?.id : undefined;
  const unknownCode = code !== "" && variant.data !== undefined && !variantId;
  const movements = useRead(
    ["movements", locationId, type, variantId, page],
    (client) =>
      client.inventory.GET("/api/inventory/movements", {
        params: {
          query: {
            page,
            limit: LIMIT,
            ...(locationId ? { locationId } : {}),
            ...(type ? { type } : {}),
            ...(variantId ? { variantId } : {}),
          },
        },
      }),
    !code || variant.data !== undefined,
  );
  const labels = useLabels(movements.data?.data.map((m) => m.variantId) ?? []);
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
  };

  return (
    <>
      <Title>{t("backoffice.inventory.movements")}</Title>
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
        <Field label={t("backoffice.inventory.type")}>
          {(ids) => (
            <select {...ids} value={type} onChange={(e) => set({ type: e.target.value })}>
              <option value="">{t("backoffice.inventory.anyType")}</option>
              {TYPES.map((k) => (
                <option key={k} value={k}>
                  {t(`backoffice.inventory.type.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
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
        <Answer query={movements}>
          {(answer) =>
            answer.data.length === 0 ? (
              <p className="empty">{t("backoffice.inventory.noMovement")}</p>
            ) : (
              <>
                <div className="bo-scroll">
                  <table className="bo-table">
                    <caption className="visually-hidden">{t("backoffice.inventory.movements")}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t("backoffice.inventory.when")}</th>
                        <th scope="col">{t("backoffice.inventory.product")}</th>
                        <th scope="col">{t("backoffice.inventory.location")}</th>
                        <th scope="col">{t("backoffice.inventory.type")}</th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.quantity")}
                        </th>
                        <th scope="col">{t("backoffice.inventory.reason")}</th>
                        <th scope="col">{t("backoffice.inventory.reference")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {answer.data.map((movement) => {
                        const v = labels.variant(movement.variantId);
                        return (
                          <tr key={movement.id}>
                            <td>{date(movement.createdAt)}</td>
                            <th scope="row">
                              {v.name} <span className="bo-code muted">{v.sku}</span>
                            </th>
                            <td>{labels.location(movement.locationId)}</td>
                            <td>{t(`backoffice.inventory.type.${movement.type}`)}</td>
                            <td className="num">
                              {movement.quantity > 0 ? `+${movement.quantity}` : movement.quantity}
                            </td>
                            <td>{movement.reason ?? "—"}</td>
                            <td className="bo-code">{movement.reference ?? "—"}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                <Pager pagination={answer.pagination} onPage={(next) => set({ page: String(next) })} />
              </>
            )
          }
        </Answer>
      )}
    </>
  );
}
