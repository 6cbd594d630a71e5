import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import { Answer, Badge, Field, LocationSelect, Pager, Title, useLabels, useRead } from "../ui";
import { useCode } from "./LevelsPage";

const LIMIT = 25;

/** /backoffice/inventory/alerts: low-stock alerts (open by default), newest first, by location; each leads to its level. */
export function AlertsPage() {
  const { t, date } = useI18n();
  const [params, setParams] = useSearchParams();
  const locationId = params.get("location") ?? "";
  const status = (params.get("status") ?? "open") as "open" | "resolved" | "all";
  const page = Number(params.get("page") ?? "1") || 1;
  const code = params.get("code") ?? "";
  const [text, setText] = useState(code);
  const variant = useCode(code);
  const variantId = code ? variant.data?.data[0]?.id : undefined;
  const unknownCode = code !== "" && variant.data !== undefined && !variantId;
  const labels = useLabels([]);
  const alerts = useRead(
    ["alerts", locationId, status, variantId, page],
    (client) =>
      client.inventory.GET("/api/inventory/alerts", {
        params: {
          query: {
            page,
            limit: LIMIT,
            ...(locationId ? { locationId } : {}),
            ...(variantId ? { variantId } : {}),
            ...(status !== "all" ? { status } : {}),
          },
        },
      }),
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
  };

  return (
    <>
      <Title>{t("backoffice.inventory.alerts")}</Title>
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
        <Field label={t("backoffice.inventory.alertStatus")}>
          {(ids) => (
            <select {...ids} value={status} onChange={(e) => set({ status: e.target.value })}>
              <option value="open">{t("backoffice.inventory.alert.open")}</option>
              <option value="resolved">{t("backoffice.inventory.alert.resolved")}</option>
              <option value="all">{t("backoffice.inventory.alert.all")}</option>
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
      <p className="hint">{t("backoffice.inventory.alertsHint")}</p>
      {unknownCode ? (
        <p className="alert alert-error" role="alert">
          {t("backoffice.items.unknown", { codes: code })}
        </p>
      ) : (
        <Answer query={alerts}>
          {(answer) =>
            answer.data.length === 0 ? (
              <p className="empty">{t("backoffice.inventory.noAlert")}</p>
            ) : (
              <>
                <div className="bo-scroll">
                  <table className="bo-table">
                    <caption className="visually-hidden">{t("backoffice.inventory.alerts")}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t("backoffice.inventory.product")}</th>
                        <th scope="col">{t("backoffice.inventory.location")}</th>
                        <th scope="col">{t("backoffice.inventory.alertStatus")}</th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.available")}
                        </th>
                        <th scope="col" className="num">
                          {t("backoffice.inventory.threshold")}
                        </th>
                        <th scope="col">{t("backoffice.inventory.raisedAt")}</th>
                        <th scope="col">{t("backoffice.inventory.resolvedAt")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {answer.data.map((alert) => (
                        <tr key={alert.id}>
                          <th scope="row">
                            <Link
                              to={`/backoffice/inventory?${new URLSearchParams({ location: alert.locationId, code: alert.sku })}`}
                            >
                              {alert.productName}
                            </Link>{" "}
                            <span className="bo-code muted">{alert.sku}</span>
                          </th>
                          <td>{labels.location(alert.locationId)}</td>
                          <td>
                            <Badge
                              tone={alert.status === "open" ? "warn" : "ok"}
                              label={t(`backoffice.inventory.alert.${alert.status}`)}
                            />
                          </td>
                          <td className="num">{alert.available}</td>
                          <td className="num">{alert.threshold}</td>
                          <td>{date(alert.raisedAt)}</td>
                          <td>{alert.resolvedAt ? date(alert.resolvedAt) : "—"}</td>
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
    </>
  );
}
