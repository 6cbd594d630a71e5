import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { Link, NavLink } from "react-router";
import type { CallResult, ComptoirClient } from "../app/api/client";
import { useSession } from "../app/auth/session";
import { ErrorMessage } from "../app/errors";
import { useI18n } from "../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../app/ui";

/** The query key of everything the back office reads, per user (signing out forgets it). */
export function useBackofficeKey(): (...key: unknown[]) => unknown[] {
  const { user } = useSession();
  return (...key) => ["backoffice", user?.id, ...key];
}

/** A read as the signed-in user, cached under `["backoffice", userId, …key]`. */
export function useRead<Data>(
  key: readonly unknown[],
  run: (client: ComptoirClient) => Promise<CallResult<Data>>,
  enabled = true,
) {
  const { call } = useSession();
  const keyOf = useBackofficeKey();
  return useQuery({
    queryKey: keyOf(...key),
    queryFn: () => call(run),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** A screen's answer: loading, its problem in plain words (with a retry), or its content. */
export function Answer<Data>({
  query,
  children,
}: {
  query: { data: Data | undefined; error: unknown; refetch(): unknown };
  children(data: Data): ReactNode;
}) {
  if (query.error) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data !== undefined) return <>{children(query.data)}</>;
  return <Loading />;
}

/** A screen's heading and the tab's title. */
export function Title({ children, actions }: { children: string; actions?: ReactNode }) {
  useDocumentTitle(children);
  return (
    <div className="bo-title">
      <h1>{children}</h1>
      {actions}
    </div>
  );
}

/** The screens of one section, as tabs under its heading. */
export function SubNav({
  label,
  links,
}: {
  label: string;
  links: readonly { to: string; label: string; end?: boolean }[];
}) {
  return (
    <nav aria-label={label} className="bo-subnav">
      {links.map((link) => (
        <NavLink key={link.to} to={link.to} end={link.end} className="bo-subnav-link">
          {link.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** Previous / next for a paginated list (`pagination` of the API). */
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
    <div className="bo-pager">
      <button
        type="button"
        className="button button-secondary"
        disabled={pagination.page <= 1}
        onClick={() => onPage(pagination.page - 1)}
      >
        {t("search.previous")}
      </button>
      <span aria-live="polite">{t("search.page", { page: pagination.page, pages })}</span>
      <button
        type="button"
        className="button button-secondary"
        disabled={pagination.page >= pages}
        onClick={() => onPage(pagination.page + 1)}
      >
        {t("search.next")}
      </button>
    </div>
  );
}

/** A labelled control: `children` receives the id (and the hint's id) to put on the control. */
export function Field({
  label,
  hint,
  children,
}: {
  label: string;
  hint?: string;
  children(ids: { id: string; "aria-describedby"?: string }): ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(hint ? { "aria-describedby": `${id}-hint` } : {}) })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A status as a coloured badge, its text from the catalog. */
export function Badge({ tone, label }: { tone: "ok" | "warn" | "bad" | "info" | "muted"; label: string }) {
  return <span className={`bo-badge bo-badge-${tone}`}>{label}</span>;
}

/** A success, said politely to screen readers. */
export function Notice({ text }: { text: string | null }) {
  return (
    <p className={text ? "alert alert-success" : "visually-hidden"} role="status">
      {text ?? ""}
    </p>
  );
}

/** "12,50" or "12.50" (euros, as typed) → 1250 minor units; null when it is not an amount. */
export function parseAmount(text: string): number | null {
  const clean = text.trim().replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
  return Math.round(Number(clean) * 100);
}

/** 1250 → "12.50" for an amount field (the locale's separator is accepted back by parseAmount). */
export function amountText(minor: number | null | undefined, decimal = ","): string {
  return minor === null || minor === undefined ? "" : (minor / 100).toFixed(2).replace(".", decimal);
}

/** Lines "key: value" ↔ an object of strings (product attributes, variant options). */
export function parsePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key && value) pairs[key] = value;
  }
  return pairs;
}

export function pairsText(pairs: Record<string, unknown> | null | undefined): string {
  return Object.entries(pairs ?? {})
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join("\n");
}

/** The stock locations the user may see (a clerk: their store's only), by id. */
export function useLocations() {
  return useRead(["locations"], (client) => client.inventory.GET("/api/inventory/locations"));
}

/** Variants by id (product name, SKU), for the lists that carry only ids. */
export function useVariants(ids: readonly string[]) {
  const unique = [...new Set(ids)].sort();
  return useRead(
    ["variants", unique],
    (client) => client.catalog.GET("/api/catalog/variants", { params: { query: { ids: unique.join(",") } } }),
    unique.length > 0,
  );
}

/** An address under /backoffice that names no screen (or one this role does not see). */
export function NotFound() {
  const { t } = useI18n();
  useDocumentTitle(t("app.notFound.title"));
  return (
    <section>
      <h1>{t("app.notFound.title")}</h1>
      <p>{t("app.notFound.text")}</p>
      <Link to="/backoffice">{t("backoffice.home.back")}</Link>
    </section>
  );
}

/**
 * One action of a screen (a save, an upload): busy while it runs, its problem or its success
 * message afterwards. `run` returns the success message (or nothing).
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const queryClient = useQueryClient();
  async function run(work: () => Promise<string | void>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const message = await work();
      setDone(message ?? null);
      await queryClient.invalidateQueries({ queryKey: ["backoffice"] });
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, done, run };
}

/** An action's outcome: its problem (role="alert") or its success (role="status"). */
export function Outcome({ action }: { action: { error: unknown; done: string | null } }) {
  return action.error !== null ? <ErrorMessage error={action.error} /> : <Notice text={action.done} />;
}

/** Names for the ids a list carries: a location's name, a variant's product and SKU. */
export function useLabels(variantIds: readonly string[]) {
  const locations = useLocations();
  const variants = useVariants(variantIds);
  return {
    /** A location's name; `fallback` for one the user may not list (a clerk sees their store only). */
    location: (id: string, fallback?: string) =>
      locations.data?.data.find((l) => l.id === id)?.name ?? fallback ?? id.slice(0, 8),
    variant: (id: string) => {
      const variant = variants.data?.data.find((v) => v.id === id);
      return variant ? { name: variant.productName, sku: variant.sku } : { name: id.slice(0, 8), sku: "" };
    },
  };
}

/** A location filter over the locations the user may see. */
export function LocationSelect({
  label,
  value,
  onChange,
  anyLabel,
  kinds,
  required = false,
}: {
  label: string;
  value: string;
  onChange(id: string): void;
  anyLabel?: string;
  kinds?: readonly string[];
  required?: boolean;
}) {
  const { t } = useI18n();
  const locations = useLocations();
  return (
    <Field label={label}>
      {(ids) => (
        <select {...ids} value={value} required={required} onChange={(e) => onChange(e.target.value)}>
          <option value="">{anyLabel ?? t("backoffice.chooseLocation")}</option>
          {locations.data?.data
            .filter((l) => !kinds || kinds.includes(l.kind))
            .map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
        </select>
      )}
    </Field>
  );
}
