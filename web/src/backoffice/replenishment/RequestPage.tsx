import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { newKey } from "../../app/api/client";
import { Link, useLocation, useParams } from "react-router";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import type { SupplyRequest } from "../types";
import { Answer, Field, Notice, Outcome, Title, useAction, useBackofficeKey, useLabels } from "../ui";
import { RequestStatus } from "./status";

/**
 * /backoffice/replenishment/:id: a request, its lines, what its transfer saga did step by step
 * (`GET /api/supply/requests/{id}`, asked again every second while the saga runs), and a manager's
 * decision: approve (`…/approve`) or reject with a reason (`…/reject`).
 */
export function RequestPage() {
  const { id = "" } = useParams();
  const { call } = useSession();
  const keyOf = useBackofficeKey();
  const request = useQuery({
    queryKey: keyOf("request", id),
    queryFn: () => call((client) => client.supply.GET("/api/supply/requests/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.status === "approved" ? 1000 : false),
  });
  return <Answer query={request}>{(answer) => <Request request={answer} />}</Answer>;
}

function Request({ request }: { request: SupplyRequest }) {
  const { t, date } = useI18n();
  const { user } = useSession();
  const location = useLocation();
  const created = (location.state as { notice?: string } | null)?.notice === "created";
  const labels = useLabels(request.lines.map((line) => line.variantId));
  const canDecide = (user?.role === "admin" || user?.role === "manager") && request.status === "requested";

  return (
    <>
      <p>
        <Link to="/backoffice/replenishment">{t("backoffice.supply.backToList")}</Link>
      </p>
      <Title actions={<RequestStatus status={request.status} />}>
        {t("backoffice.supply.requestTitle", { store: labels.location(request.locationId) })}
      </Title>
      {created && <Notice text={t("backoffice.supply.created")} />}
      <p role="status" className={request.status === "failed" ? "alert alert-error" : "lead"}>
        {t(`backoffice.supply.explain.${request.status}`)}
        {request.reason && ` ${t("backoffice.supply.reasonIs", { reason: request.reason })}`}
      </p>
      <dl className="bo-facts-list">
        <dt>{t("backoffice.supply.createdAt")}</dt>
        <dd>{date(request.createdAt)}</dd>
        <dt>{t("backoffice.supply.from")}</dt>
        <dd>{labels.location(request.fromLocationId, t("backoffice.supply.warehouse"))}</dd>
        {request.decidedAt && (
          <>
            <dt>{t("backoffice.supply.decidedAt")}</dt>
            <dd>{date(request.decidedAt)}</dd>
          </>
        )}
        {request.finishedAt && (
          <>
            <dt>{t("backoffice.supply.finishedAt")}</dt>
            <dd>{date(request.finishedAt)}</dd>
          </>
        )}
        {request.note && (
          <>
            <dt>{t("backoffice.supply.note")}</dt>
            <dd>{request.note}</dd>
          </>
        )}
      </dl>
      <section className="panel" aria-labelledby="request-lines">
        <h2 id="request-lines">{t("backoffice.items.title")}</h2>
        <table className="bo-table">
          <thead>
            <tr>
              <th scope="col">{t("backoffice.inventory.product")}</th>
              <th scope="col">{t("backoffice.catalog.sku")}</th>
              <th scope="col" className="num">
                {t("backoffice.inventory.quantity")}
              </th>
            </tr>
          </thead>
          <tbody>
            {request.lines.map((line) => {
              const v = labels.variant(line.variantId);
              return (
                <tr key={line.variantId}>
                  <th scope="row">{v.name}</th>
                  <td className="bo-code">{v.sku}</td>
                  <td className="num">{line.quantity}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {canDecide && <Decision requestId={request.id} />}
      <section className="panel" aria-labelledby="request-history">
        <h2 id="request-history">{t("backoffice.supply.history")}</h2>
        {request.history.length === 0 ? (
          <p className="empty">{t("backoffice.supply.noHistory")}</p>
        ) : (
          <ol className="bo-timeline">
            {request.history.map((entry, index) => (
              <li key={index}>
                <strong>
                  {t(`backoffice.supply.step.${entry.action}`, { step: entry.step })} —{" "}
                  {t(`backoffice.supply.outcome.${entry.outcome}`)}
                </strong>{" "}
                <span className="muted">{date(entry.at)}</span>
                {entry.detail && <p className="bo-detail">{entry.detail}</p>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

/** A manager's decision: approve (the saga runs the transfer) or reject with a reason. */
function Decision({ requestId }: { requestId: string }) {
  const { t } = useI18n();
  const { call } = useSession();
  const [reason, setReason] = useState("");
  const approve = useAction();
  const reject = useAction();
  return (
    <section className="panel" aria-labelledby="request-decision">
      <h2 id="request-decision">{t("backoffice.supply.decide")}</h2>
      <div className="bo-actions">
        <button
          type="button"
          className="button"
          disabled={approve.busy || reject.busy}
          onClick={() =>
            void approve.run(async () => {
              const idempotencyKey = newKey();
              await call((client) =>
                client.supply.POST("/api/supply/requests/{id}/approve", {
                  params: { path: { id: requestId } },
                  headers: { "idempotency-key": idempotencyKey },
                }),
              );
            })
          }
        >
          {approve.busy ? t("backoffice.sending") : t("backoffice.supply.approve")}
        </button>
      </div>
      <Outcome action={approve} />
      <form
        className="bo-subpanel"
        onSubmit={(event) => {
          event.preventDefault();
          void reject.run(async () => {
            const idempotencyKey = newKey();
            await call((client) =>
              client.supply.POST("/api/supply/requests/{id}/reject", {
                params: { path: { id: requestId } },
                headers: { "idempotency-key": idempotencyKey },
                body: { reason: reason.trim() },
              }),
            );
          });
        }}
      >
        <Field label={t("backoffice.supply.rejectReason")}>
          {(ids) => (
            <input
              {...ids}
              required
              maxLength={1000}
              pattern=".*\S.*"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          )}
        </Field>
        <Outcome action={reject} />
        <button type="submit" className="button button-secondary" disabled={approve.busy || reject.busy}>
          {t("backoffice.supply.reject")}
        </button>
      </form>
    </section>
  );
}
