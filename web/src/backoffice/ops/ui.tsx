import { type ReactNode, useId, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import "./ops.css";
import { orderNumber } from "../../app/order-number";

/** A screen of the operations sections: its title (the tab's too), an optional way back, its actions. */
export function OpsPage({
  title,
  back,
  actions,
  children,
}: {
  title: string;
  back?: { to: string; label: string };
  actions?: ReactNode;
  children: ReactNode;
}) {
  useDocumentTitle(title);
  return (
    <div className="ops-page">
      {back && (
        <p className="ops-back">
          <Link to={back.to}>← {back.label}</Link>
        </p>
      )}
      <div className="ops-head">
        <h1>{title}</h1>
        {actions && <div className="ops-actions">{actions}</div>}
      </div>
      {children}
    </div>
  );
}

/** A panel with its heading (h2), labelled by it. */
export function Panel({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="panel ops-panel" aria-labelledby={id}>
      <div className="ops-panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** A query's answer: loading, its problem in plain words (with a retry), or what it read. */
export function Loaded<Data>({
  query,
  children,
}: {
  query: { data: Data | undefined; error: unknown; refetch(): unknown };
  children(data: Data): ReactNode;
}) {
  if (query.error) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  return query.data === undefined ? <Loading /> : <>{children(query.data)}</>;
}

/** A field: its label, its control (given the id and the hint's id), its hint. */
export function Field({
  label,
  hint,
  children,
  className,
}: {
  label: string;
  hint?: string;
  className?: string;
  children(id: string, describedBy: string | undefined): ReactNode;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** A status badge: its tone says good, waiting, bad or neutral; the word says it too. */
export function Badge({ tone, children }: { tone: "ok" | "wait" | "bad" | "info"; children: ReactNode }) {
  return <span className={`ops-badge ops-badge-${tone}`}>{children}</span>;
}

/** Previous / next through a paginated list, with "page 2 of 5" announced. */
export function Pager({
  pagination,
  onPage,
}: {
  pagination: { page: number; limit: number; total: number };
  onPage(page: number): void;
}) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(pagination.total / pagination.limit));
  if (pages <= 1) return null;
  return (
    <nav className="ops-pager" aria-label={t("ops.pager.label")}>
      <button
        type="button"
        className="button button-secondary"
        disabled={pagination.page <= 1}
        onClick={() => onPage(pagination.page - 1)}
      >
        {t("ops.pager.previous")}
      </button>
      <span aria-live="polite">{t("ops.pager.page", { page: pagination.page, pages })}</span>
      <button
        type="button"
        className="button button-secondary"
        disabled={pagination.page >= pages}
        onClick={() => onPage(pagination.page + 1)}
      >
        {t("ops.pager.next")}
      </button>
    </nav>
  );
}

/**
 * Filters kept in the URL's query (shareable, kept on back): their values, and a setter that drops
 * the page (a new filter starts at page 1) and empty values.
 */
export function useUrlFilters<Name extends string>(names: readonly Name[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(names.map((name) => [name, params.get(name) ?? ""])) as Record<Name, string>;
  const page = Math.max(1, Number(params.get("page")) || 1);
  const set = (changes: Partial<Record<Name | "page", string>>) => {
    const next = new URLSearchParams(params);
    if (!("page" in changes)) next.delete("page");
    for (const [name, value] of Object.entries(changes) as [string, string | undefined][]) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next);
  };
  return { values, page, set };
}

/** A destructive action asked twice: the button, then "confirm / keep" in its place. */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  busy,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm(): void;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button button-secondary ops-danger" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="ops-confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        className="button ops-danger-solid"
        disabled={busy}
        // The question replaced the button the keyboard was on: focus follows.
        autoFocus
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-ghost" onClick={() => setAsking(false)}>
        {t("ops.keep")}
      </button>
    </span>
  );
}

/** A polite announcement of what an action did ("Order shipped"). */
export function Done({ text }: { text: string | null }) {
  return (
    <p className={text ? "alert alert-success" : "visually-hidden"} role="status" aria-live="polite">
      {text ?? ""}
    </p>
  );
}

/** An id's short form, as the platform's mails write an order's number (app/order-number.ts). */
export const shortOf = orderNumber;

/** An id's short form, the whole in a title. */
export function ShortId({ id }: { id: string }) {
  return (
    <code className="ops-id" title={id}>
      {shortOf(id)}
    </code>
  );
}

/** A table's scrolling frame (narrow screens): a named region the keyboard can reach and scroll. */
export function Scroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="ops-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
