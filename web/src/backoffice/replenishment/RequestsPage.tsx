import { Link, useSearchParams } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import type { SupplyStatus } from "../types";
import { Answer, Field, LocationSelect, Pager, Title, useLabels, useRead } from "../ui";
import { RequestStatus, STATUSES } from "./status";

const LIMIT = 20;

/** /backoffice/replenishment: the requests, newest first (a clerk: their store's), by status and store. */
export function RequestsPage() {
  const { t, date } = useI18n();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as SupplyStatus | "";
  const locationId = params.get("location") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;
  const labels = useLabels([]);
  const requests = useRead(["requests", status, locationId, page], (client) =>
    client.supply.GET("/api/supply/requests", {
      params: {
        query: { page, limit: LIMIT, ...(status ? { status } : {}), ...(locationId ? { locationId } : {}) },
      },
    }),
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
      <Title
        actions={
          <Link to="/backoffice/replenishment/new" className="button">
            {t("backoffice.supply.new")}
          </Link>
        }
      >
        {t("backoffice.supply.title")}
      </Title>
      <div className="bo-filters">
        <Field label={t("backoffice.supply.status")}>
          {(ids) => (
            <select {...ids} value={status} onChange={(e) => set({ status: e.target.value })}>
              <option value="">{t("backoffice.supply.anyStatus")}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`backoffice.supply.status.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <LocationSelect
          label={t("backoffice.supply.store")}
          anyLabel={t("backoffice.supply.anyStore")}
          kinds={["store"]}
          value={locationId}
          onChange={(id) => set({ location: id })}
        />
      </div>
      <Answer query={requests}>
        {(answer) =>
          answer.data.length === 0 ? (
            <p className="empty">{t("backoffice.supply.none")}</p>
          ) : (
            <>
              <div className="bo-scroll">
                <table className="bo-table">
                  <caption className="visually-hidden">{t("backoffice.supply.title")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("backoffice.supply.request")}</th>
                      <th scope="col">{t("backoffice.supply.store")}</th>
                      <th scope="col">{t("backoffice.supply.status")}</th>
                      <th scope="col" className="num">
                        {t("backoffice.supply.units")}
                      </th>
                      <th scope="col">{t("backoffice.supply.note")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {answer.data.map((request) => (
                      <tr key={request.id}>
                        <th scope="row">
                          <Link to={`/backoffice/replenishment/${request.id}`}>
                            {t("backoffice.supply.of", { date: date(request.createdAt) })}
                          </Link>
                        </th>
                        <td>{labels.location(request.locationId)}</td>
                        <td>
                          <RequestStatus status={request.status} />
                        </td>
                        <td className="num">{request.lines.reduce((sum, line) => sum + line.quantity, 0)}</td>
                        <td>{request.note ?? "—"}</td>
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
    </>
  );
}
