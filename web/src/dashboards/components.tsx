import { type ReactNode, useId, useState } from "react";
import { useSession } from "../app/auth/session";
import { ErrorMessage } from "../app/errors";
import { useI18n } from "../app/i18n/i18n";
import { type CsvRequest, saveCsv } from "./data";
import { PRESETS, type Period, type Preset, presetDays } from "./period";

/** "Download CSV" for a report: the same query with `format=csv`, and its `sep=;` variant for French spreadsheets. */
export function CsvButtons({
  what,
  request,
  fallbackName,
}: {
  what: string;
  request: CsvRequest;
  fallbackName: string;
}) {
  const { t } = useI18n();
  const { call } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(sep: "," | ";") {
    setBusy(true);
    setError(null);
    try {
      await saveCsv(call, request, sep, fallbackName);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="dash-csv">
      <button
        type="button"
        className="button button-secondary dash-small"
        disabled={busy}
        aria-label={t("dashboards.csv.comma", { what })}
        onClick={() => void run(",")}
      >
        {t("dashboards.csv.button")}
      </button>
      <button
        type="button"
        className="button button-secondary dash-small"
        disabled={busy}
        aria-label={t("dashboards.csv.semicolon", { what })}
        onClick={() => void run(";")}
      >
        {t("dashboards.csv.buttonFr")}
      </button>
      {error !== null && <ErrorMessage error={error} />}
    </div>
  );
}

/** A section of a screen: its title, its CSV buttons, its content. */
export function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section className="panel dash-section" aria-labelledby={id}>
      <div className="dash-section-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** The period picker: four presets and a custom from/to (applied when both days are valid). */
export function PeriodPicker({ period, onChange }: { period: Period; onChange(next: Period): void }) {
  const { t, date } = useI18n();
  const id = useId();
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  const choose = (preset: Preset) => {
    const next: Period =
      preset === "custom" ? { preset, from: period.from, to: period.to } : { preset, ...presetDays(preset) };
    setFrom(next.from);
    setTo(next.to);
    onChange(next);
  };
  return (
    <form
      className="dash-period"
      onSubmit={(event) => {
        event.preventDefault();
        if (from && to && from <= to) onChange({ preset: "custom", from, to });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-preset`}>{t("dashboards.period.label")}</label>
        <select id={`${id}-preset`} value={period.preset} onChange={(event) => choose(event.target.value as Preset)}>
          {PRESETS.map((preset) => (
            <option key={preset} value={preset}>
              {t(`dashboards.period.${preset}`)}
            </option>
          ))}
        </select>
      </div>
      {period.preset === "custom" && (
        <>
          <div className="field">
            <label htmlFor={`${id}-from`}>{t("dashboards.period.from")}</label>
            <input
              id={`${id}-from`}
              type="date"
              required
              value={from}
              max={to}
              onChange={(e) => setFrom(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>{t("dashboards.period.to")}</label>
            <input id={`${id}-to`} type="date" required value={to} min={from} onChange={(e) => setTo(e.target.value)} />
          </div>
          <button type="submit" className="button dash-apply">
            {t("dashboards.period.apply")}
          </button>
        </>
      )}
      <p className="hint dash-period-days" aria-live="polite">
        {t("dashboards.period.days", {
          from: date(`${period.from}T12:00:00`, true),
          to: date(`${period.to}T12:00:00`, true),
        })}
      </p>
    </form>
  );
}

/** A screen's answer: loading, its problem in plain words, or its content. */
export function Answer<Data>({
  query,
  children,
}: {
  query: { data: Data | undefined; error: unknown; isPending: boolean; refetch(): unknown };
  children(data: Data): ReactNode;
}) {
  const { t } = useI18n();
  if (query.error) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data !== undefined) return <>{children(query.data)}</>;
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {t("app.loading")}
    </p>
  );
}
