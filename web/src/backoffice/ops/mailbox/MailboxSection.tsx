import { useEffect, useRef, useState } from "react";
import { Link, Route, Routes, useParams } from "react-router";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useOpsAction, useOpsQuery } from "../data";
import { MAIL_STATUSES, type Mail, type MailQuery, type MailStatus, type MailTemplate } from "../types";
import { Badge, Done, Field, Loaded, OpsPage, Pager, Panel, useUrlFilters, Scroll } from "../ui";

/** The mailbox (`/backoffice/mailbox`): the mails the platform wrote, by recipient, template and status; one mail read. */
export default function MailboxSection() {
  return (
    <Routes>
      <Route index element={<MailList />} />
      <Route path=":id" element={<MailDetail />} />
    </Routes>
  );
}

const TEMPLATES: readonly MailTemplate[] = [
  "welcome",
  "order_received",
  "order_confirmed",
  "order_shipped",
  "order_cancelled",
  "order_refunded",
  "low_stock",
  "supply_approved",
  "supply_rejected",
  "supply_completed",
  "supply_failed",
];

const TONE: Record<MailStatus, "ok" | "wait" | "bad" | "info"> = {
  queued: "wait",
  sent: "ok",
  stored: "ok",
  dead: "bad",
  superseded: "info",
};

function MailBadge({ status }: { status: MailStatus }) {
  const { t } = useI18n();
  return <Badge tone={TONE[status]}>{t(`ops.mail.status.${status}`)}</Badge>;
}

const FILTERS = ["to", "template", "status"] as const;

function MailList() {
  const { t, date } = useI18n();
  const { values, page, set } = useUrlFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  const query: MailQuery = {
    page,
    limit: 25,
    ...(values.to.trim() ? { to: values.to.trim() } : {}),
    ...(values.template ? { template: values.template as MailTemplate } : {}),
    ...(values.status ? { status: values.status as MailStatus } : {}),
  };
  const mails = useOpsQuery(
    ["mails", query],
    (client) => client.notifications.GET("/api/notifications/messages", { params: { query } }),
    // New mails arrive from events: the list follows.
    { refetchInterval: 5_000 },
  );
  return (
    <OpsPage title={t("ops.mail.title")}>
      <p className="lead">{t("ops.mail.lead")}</p>
      <form
        className="ops-filters"
        role="search"
        aria-label={t("ops.mail.filters")}
        onSubmit={(event) => {
          event.preventDefault();
          set(draft);
        }}
      >
        <Field label={t("ops.mail.to")}>
          {(id) => (
            <input
              id={id}
              type="search"
              inputMode="email"
              autoComplete="off"
              value={draft.to}
              onChange={(e) => setDraft({ ...draft, to: e.target.value })}
            />
          )}
        </Field>
        <Field label={t("ops.mail.template")}>
          {(id) => (
            <select id={id} value={draft.template} onChange={(e) => setDraft({ ...draft, template: e.target.value })}>
              <option value="">{t("ops.all")}</option>
              {TEMPLATES.map((template) => (
                <option key={template} value={template}>
                  {t(`ops.mail.template.${template}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("ops.mail.status")}>
          {(id) => (
            <select id={id} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
              <option value="">{t("ops.all")}</option>
              {MAIL_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {t(`ops.mail.status.${status}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button">
          {t("ops.filter")}
        </button>
      </form>
      <Loaded query={mails}>
        {({ data, pagination }) => (
          <>
            <p className="hint" role="status">
              {t("ops.mail.count", { count: pagination.total })}
            </p>
            {data.length > 0 && (
              <Scroll label={t("ops.mail.title")}>
                <table className="ops-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("ops.mail.subject")}</th>
                      <th scope="col">{t("ops.mail.to")}</th>
                      <th scope="col">{t("ops.mail.template")}</th>
                      <th scope="col">{t("ops.mail.status")}</th>
                      <th scope="col">{t("ops.mail.written")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((mail) => (
                      <tr key={mail.id}>
                        <td>
                          <Link to={mail.id}>{mail.subject}</Link>
                        </td>
                        <td>{mail.to}</td>
                        <td>{t(`ops.mail.template.${mail.template as MailTemplate}`)}</td>
                        <td>
                          <MailBadge status={mail.status} />
                        </td>
                        <td>{date(mail.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            )}
            <Pager pagination={pagination} onPage={(next) => set({ page: String(next) })} />
          </>
        )}
      </Loaded>
    </OpsPage>
  );
}

function MailDetail() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const mail = useOpsQuery(["mail", id], (client) =>
    client.notifications.GET("/api/notifications/messages/{id}", { params: { path: { id } } }),
  );
  return (
    <OpsPage title={mail.data?.subject ?? t("ops.mail.one")} back={{ to: "..", label: t("ops.mail.back") }}>
      <Loaded query={mail}>{(data) => <MailView mail={data} />}</Loaded>
    </OpsPage>
  );
}

function MailView({ mail }: { mail: Mail }) {
  const { t, date } = useI18n();
  const [part, setPart] = useState<"html" | "text">("html");
  const [done, setDone] = useState<string | null>(null);
  const retry = useOpsAction(
    (client, _: void) =>
      client.notifications.POST("/api/notifications/messages/{id}/retry", { params: { path: { id: mail.id } } }),
    () => setDone(t("ops.mail.requeued")),
  );
  return (
    <>
      <Done text={done} />
      <Panel title={t("ops.mail.envelope")}>
        <dl className="ops-facts">
          <dt>{t("ops.mail.to")}</dt>
          <dd>{mail.to}</dd>
          <dt>{t("ops.mail.subject")}</dt>
          <dd>{mail.subject}</dd>
          <dt>{t("ops.mail.template")}</dt>
          <dd>{t(`ops.mail.template.${mail.template as MailTemplate}`)}</dd>
          <dt>{t("ops.mail.language")}</dt>
          <dd>{mail.language === "fr" ? "Français" : "English"}</dd>
          <dt>{t("ops.mail.status")}</dt>
          <dd>
            <MailBadge status={mail.status} />
          </dd>
          <dt>{t("ops.mail.written")}</dt>
          <dd>{date(mail.createdAt)}</dd>
          <dt>{t("ops.mail.delivered")}</dt>
          <dd>{mail.deliveredAt ? date(mail.deliveredAt) : "—"}</dd>
          <dt>{t("ops.mail.attempts")}</dt>
          <dd>{mail.attempts}</dd>
          {mail.lastError && (
            <>
              <dt>{t("ops.mail.lastError")}</dt>
              <dd>{mail.lastError}</dd>
            </>
          )}
        </dl>
        {mail.status === "dead" && (
          <p>
            <button type="button" className="button" disabled={retry.isPending} onClick={() => retry.mutate()}>
              {t("ops.mail.retry")}
            </button>
          </p>
        )}
        {retry.error ? <ErrorMessage error={retry.error} /> : null}
      </Panel>
      <Panel
        title={t("ops.mail.body")}
        actions={
          <div className="ops-actions ops-toggle" role="group" aria-label={t("ops.mail.part")}>
            <button
              type="button"
              className={part === "html" ? "button" : "button button-secondary"}
              aria-pressed={part === "html"}
              onClick={() => setPart("html")}
            >
              {t("ops.mail.html")}
            </button>
            <button
              type="button"
              className={part === "text" ? "button" : "button button-secondary"}
              aria-pressed={part === "text"}
              onClick={() => setPart("text")}
            >
              {t("ops.mail.text")}
            </button>
          </div>
        }
      >
        {part === "html" ? (
          <MailFrame html={mail.html} title={t("ops.mail.frameTitle", { subject: mail.subject })} />
        ) : (
          <pre className="ops-mail-text">{mail.text}</pre>
        )}
      </Panel>
    </>
  );
}

/**
 * A mail's HTML, shown safely: in a sandboxed frame (no script runs, no form is sent, nothing opens),
 * from `srcdoc`, without the mail's scripts, event handlers or remote resources. The page's CSP (the
 * frame inherits it) refuses inline `style` attributes, so each one is carried as `data-style` and
 * applied through the CSSOM once the frame is there (allowed: the sandbox keeps its origin, not scripts).
 */
function MailFrame({ html, title }: { html: string; title: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [doc] = useState(() => cleanMail(html));
  const [height, setHeight] = useState<number | null>(null);
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const apply = () => {
      const inner = element.contentDocument;
      if (!inner) return;
      for (const node of inner.querySelectorAll<HTMLElement>("[data-style]")) {
        node.style.cssText = node.dataset.style ?? "";
      }
      setHeight(inner.documentElement.scrollHeight + 16);
    };
    element.addEventListener("load", apply);
    if (element.contentDocument?.readyState === "complete") apply();
    return () => element.removeEventListener("load", apply);
  }, [doc]);
  return (
    <iframe
      ref={frame}
      className="ops-mail-frame"
      title={title}
      sandbox="allow-same-origin"
      referrerPolicy="no-referrer"
      srcDoc={doc}
      style={height ? { height } : undefined}
    />
  );
}

/**
 * The mail's HTML without what a sandboxed frame should not even try: scripts, handlers, remote loads.
 * Its `style` attributes become `data-style` before it is parsed: parsing them here, under the page's
 * CSP, would already be refused (and reported).
 */
function cleanMail(html: string): string {
  const restyled = html.replace(/<[^>]*>/g, (tag) => tag.replace(/(\s)style(\s*=)/gi, "$1data-style$2"));
  const parsed = new DOMParser().parseFromString(restyled, "text/html");
  parsed
    .querySelectorAll("script, style, iframe, object, embed, link, meta[http-equiv], base, form")
    .forEach((node) => node.remove());
  for (const element of parsed.querySelectorAll("*")) {
    for (const attribute of [...element.attributes]) {
      const name = attribute.name.toLowerCase();
      const unsafe =
        name.startsWith("on") ||
        name === "srcset" ||
        name === "src" ||
        name === "style" ||
        (name === "href" && /^\s*javascript:/i.test(attribute.value));
      // No remote image or script URL is fetched; links stay readable (the sandbox opens nothing).
      if (unsafe) element.removeAttribute(attribute.name);
    }
  }
  return `<!DOCTYPE html>${parsed.documentElement.outerHTML}`;
}
