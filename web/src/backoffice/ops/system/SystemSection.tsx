import { useQueries } from "@tanstack/react-query";
import { useState } from "react";
import { SERVICES, type ServiceName } from "@comptoir/client";
import type { ComptoirClient } from "../../../app/api/client";
import { useSession } from "../../../app/auth/session";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useGatewayStatus, useOpsAction, useOpsQuery } from "../data";
import type { EventsStatus } from "../types";
import { Badge, Done, Loaded, OpsPage, Panel, shortOf, Scroll } from "../ui";

/**
 * System status (`/backoffice/system`, admins): the services and their instances as the gateway's
 * health checks see them, each service's event consumers (lag, dead letters), and the dead letters
 * with their replay. Every service answers the same `/api/<service>/admin/events/…` routes (events:admin).
 */
export default function SystemSection() {
  const { t } = useI18n();
  const [done, setDone] = useState<string | null>(null);
  return (
    <OpsPage title={t("ops.system.title")}>
      <Done text={done} />
      <Services />
      <Events onDone={setDone} />
    </OpsPage>
  );
}

const NAMES = Object.keys(SERVICES) as ServiceName[];

/**
 * One service's admin client: the same routes under each service's prefix. Typed as orders' (every
 * service's document declares them alike), the path built for the service asked.
 */
const adminOf = (client: ComptoirClient, service: ServiceName) => ({
  status: () =>
    client[service as "orders"].GET(`/api/${service}/admin/events/status` as "/api/orders/admin/events/status"),
  deadLetters: () =>
    client[service as "orders"].GET(
      `/api/${service}/admin/events/dead-letters` as "/api/orders/admin/events/dead-letters",
      {
        params: { query: { limit: 100 } },
      },
    ),
  replayOne: (id: string) =>
    client[service as "orders"].POST(
      `/api/${service}/admin/events/dead-letters/{id}/replay` as "/api/orders/admin/events/dead-letters/{id}/replay",
      { params: { path: { id } } },
    ),
  replayAll: (group?: string) =>
    client[service as "orders"].POST(
      `/api/${service}/admin/events/dead-letters/replay` as "/api/orders/admin/events/dead-letters/replay",
      {
        body: group ? { group } : {},
      },
    ),
});

function Services() {
  const { t, date } = useI18n();
  const health = useGatewayStatus();
  return (
    <Panel title={t("ops.system.services")}>
      <Loaded query={health}>
        {(status) => (
          <>
            <p role="status">
              <Badge tone={status.status === "ok" ? "ok" : "bad"}>{t(`ops.system.overall.${status.status}`)}</Badge>{" "}
              <span className="hint">{t("ops.system.gateway", { instance: status.instance })}</span>
            </p>
            <Scroll label={t("ops.system.services")}>
              <table className="ops-table">
                <thead>
                  <tr>
                    <th scope="col">{t("ops.system.service")}</th>
                    <th scope="col">{t("ops.system.health")}</th>
                    <th scope="col">{t("ops.system.instances")}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(status.services).map(([name, service]) => (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>
                        <Badge tone={service.status === "ok" ? "ok" : "bad"}>
                          {t(`ops.system.service.${service.status}`)}
                        </Badge>
                      </td>
                      <td>
                        <ul className="ops-plain">
                          {service.instances.map((instance) => (
                            <li key={instance.url}>
                              <code>{instance.url}</code>{" "}
                              <Badge
                                tone={instance.status === "up" ? "ok" : instance.status === "down" ? "bad" : "wait"}
                              >
                                {t(
                                  `ops.system.instance.${instance.status === "up" || instance.status === "down" ? instance.status : "unknown"}`,
                                )}
                              </Badge>{" "}
                              <span className="hint">
                                {instance.latencyMs === null ? "" : t("ops.system.latency", { ms: instance.latencyMs })}{" "}
                                {t("ops.system.since", { at: date(instance.since) })}
                                {instance.error ? ` — ${instance.error}` : ""}
                              </span>
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          </>
        )}
      </Loaded>
    </Panel>
  );
}

const lagOf = (lag: Record<string, number>) => Object.values(lag).reduce((sum, n) => sum + n, 0);

function Events({ onDone }: { onDone(text: string): void }) {
  const { t } = useI18n();
  const { call, user } = useSession();
  const statuses = useQueries({
    queries: NAMES.map((service) => ({
      queryKey: ["backoffice", user?.id, "ops", "events", service],
      queryFn: () => call((client) => adminOf(client, service).status()) as Promise<unknown> as Promise<EventsStatus>,
      refetchInterval: 10_000,
    })),
  });
  const replayGroup = useOpsAction(
    (client, input: { service: ServiceName; group: string }) => adminOf(client, input.service).replayAll(input.group),
    (answer) => onDone(t("ops.system.replayed", { count: answer.data.length })),
  );
  const withDead = NAMES.filter((_, i) => (statuses[i]?.data?.deadLetters.length ?? 0) > 0);
  return (
    <>
      <Panel title={t("ops.system.events")}>
        <p className="hint">{t("ops.system.eventsHint")}</p>
        {replayGroup.error ? <ErrorMessage error={replayGroup.error} /> : null}
        <Scroll label={t("ops.system.events")}>
          <table className="ops-table">
            <thead>
              <tr>
                <th scope="col">{t("ops.system.service")}</th>
                <th scope="col">{t("ops.system.group")}</th>
                <th scope="col" className="num">
                  {t("ops.system.lag")}
                </th>
                <th scope="col" className="num">
                  {t("ops.system.dead")}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t("ops.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {NAMES.map((service, i) => {
                const query = statuses[i]!;
                if (query.error) {
                  return (
                    <tr key={service}>
                      <th scope="row">{service}</th>
                      <td colSpan={4}>
                        <ErrorMessage error={query.error} />
                      </td>
                    </tr>
                  );
                }
                const status = query.data;
                if (!status) {
                  return (
                    <tr key={service}>
                      <th scope="row">{service}</th>
                      <td colSpan={4}>{t("app.loading")}</td>
                    </tr>
                  );
                }
                const outbox = (
                  <tr key={`${service}-outbox`}>
                    <th scope="row">{service}</th>
                    <td>{t("ops.system.outbox")}</td>
                    <td className="num">{status.outbox.unsent}</td>
                    <td className="num">—</td>
                    <td className="hint">
                      {status.outbox.unsent > 0
                        ? t("ops.system.oldest", { s: Math.round(status.outbox.oldestUnsentSeconds) })
                        : ""}
                    </td>
                  </tr>
                );
                return [
                  outbox,
                  ...status.groups.map((group) => {
                    const dead = status.deadLetters.find((d) => d.group === group.group)?.count ?? 0;
                    return (
                      <tr key={`${service}-${group.group}`}>
                        <th scope="row">{service}</th>
                        <td>{group.group}</td>
                        <td className="num">{lagOf(group.lag)}</td>
                        <td className="num">{dead > 0 ? <Badge tone="bad">{dead}</Badge> : 0}</td>
                        <td>
                          {dead > 0 && (
                            <button
                              type="button"
                              className="button button-secondary"
                              disabled={replayGroup.isPending}
                              onClick={() => replayGroup.mutate({ service, group: group.group })}
                            >
                              {t("ops.system.replayGroup", { group: group.group })}
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  }),
                ];
              })}
            </tbody>
          </table>
        </Scroll>
      </Panel>
      <Panel title={t("ops.system.deadLetters")}>
        {withDead.length === 0 ? (
          <p className="empty">{t("ops.system.noDead")}</p>
        ) : (
          withDead.map((service) => <DeadLetters key={service} service={service} onDone={onDone} />)
        )}
      </Panel>
    </>
  );
}

function DeadLetters({ service, onDone }: { service: ServiceName; onDone(text: string): void }) {
  const { t, date } = useI18n();
  const letters = useOpsQuery(["dead-letters", service], (client) => adminOf(client, service).deadLetters());
  const replay = useOpsAction(
    (client, id: string) => adminOf(client, service).replayOne(id),
    (answer) => onDone(t(`ops.system.outcome`, { outcome: answer.outcome })),
  );
  return (
    <section aria-label={t("ops.system.deadOf", { service })}>
      <h3>{service}</h3>
      {replay.error ? <ErrorMessage error={replay.error} /> : null}
      <Loaded query={letters}>
        {({ data }) => (
          <Scroll label={t("ops.system.deadOf", { service })}>
            <table className="ops-table">
              <thead>
                <tr>
                  <th scope="col">{t("ops.system.event")}</th>
                  <th scope="col">{t("ops.system.group")}</th>
                  <th scope="col">{t("ops.system.error")}</th>
                  <th scope="col" className="num">
                    {t("ops.system.attempts")}
                  </th>
                  <th scope="col">{t("ops.system.failedAt")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("ops.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.map((letter) => (
                  <tr key={letter.id}>
                    <td>
                      {letter.eventType} <code className="ops-id">{shortOf(letter.eventId)}</code>
                    </td>
                    <td>{letter.group}</td>
                    <td>{letter.error}</td>
                    <td className="num">{letter.attempts}</td>
                    <td>{date(letter.failedAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="button button-secondary"
                        disabled={replay.isPending}
                        onClick={() => replay.mutate(letter.id)}
                      >
                        {t("ops.system.replay")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
      </Loaded>
    </section>
  );
}
