import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { api, type ComptoirClient, unwrap } from "../app/api/client";
import { ErrorMessage } from "../app/errors";
import { useI18n } from "../app/i18n/i18n";

/** Euro notes and coins, in cents: what a cash drawer is counted by. */
export const DENOMINATIONS = [50_000, 20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 50, 20, 10, 5, 2, 1];

export type Counts = Record<string, number>;

export const totalOf = (counts: Counts) =>
  Object.entries(counts).reduce((sum, [value, count]) => sum + Number(value) * count, 0);

/** Only the denominations counted (the close's `counted` body). */
export const countedOf = (counts: Counts) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/**
 * The drawer counted per denomination: a number field for each note and coin (Tab from one to the
 * next), the total as it adds up (announced politely).
 */
export function DenominationCount({ counts, onChange }: { counts: Counts; onChange(next: Counts): void }) {
  const { t, money } = useI18n();
  const id = useId();
  return (
    <div className="pos-count">
      <div className="pos-count-grid">
        {DENOMINATIONS.map((value) => (
          <div className="field pos-count-field" key={value}>
            <label htmlFor={`${id}-${value}`}>
              {t(value >= 500 ? "pos.count.note" : "pos.count.coin", { value: money(value) })}
            </label>
            <input
              id={`${id}-${value}`}
              type="number"
              inputMode="numeric"
              min={0}
              max={100_000}
              step={1}
              value={counts[value] ? String(counts[value]) : ""}
              placeholder="0"
              onChange={(e) => {
                const n = Math.max(0, Math.min(100_000, Math.floor(Number(e.target.value) || 0)));
                onChange({ ...counts, [value]: n });
              }}
            />
          </div>
        ))}
      </div>
      <p className="pos-count-total" role="status" aria-live="polite">
        {t("pos.count.total", { total: money(totalOf(counts)) })}
      </p>
    </div>
  );
}

/**
 * A panel of the till's screen (quantity, discount, payment…): a labelled region that takes the
 * focus when it opens; Escape closes it (the sale screen's keys).
 */
export function Panel({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  const id = useId();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>("input, select, button, textarea");
    (first ?? ref.current)?.focus();
    if (first instanceof HTMLInputElement) first.select();
  }, []);
  return (
    <section ref={ref} className={`panel pos-panel ${className ?? ""}`} aria-labelledby={id} tabIndex={-1}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A manager's approval at the till. Retail has no approval of its own: a discount above the
 * cashier's limit, or a return without receipt, is allowed to a caller with the permission. So the
 * manager signs in here (the clerk's session is untouched), the one request is made with the
 * manager's token — recorded in the manager's name — and the manager's session is closed at once.
 */
export function ManagerApproval({
  reason,
  onApproved,
  onCancel,
}: {
  reason: string;
  onApproved(run: <T>(send: (client: ComptoirClient) => Promise<T>) => Promise<T>): Promise<void>;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notManager, setNotManager] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotManager(false);
    try {
      const login = unwrap(await api.identity.POST("/api/identity/login", { body: { email: email.trim(), password } }));
      const end = () => api.identity.POST("/api/identity/logout", { body: { refreshToken: login.refreshToken } });
      if (login.user.role !== "manager" && login.user.role !== "admin") {
        await end();
        setNotManager(true);
        setBusy(false);
        return;
      }
      try {
        await onApproved((send) => send(api.withToken(login.token)));
      } finally {
        await end().catch(() => undefined);
      }
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <Panel title={t("pos.approval.title")} className="pos-approval">
      <p>{reason}</p>
      <p className="hint">{t("pos.approval.how")}</p>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t("pos.approval.email")}</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="off"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t("pos.approval.password")}</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="off"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {notManager && (
          <p className="alert alert-error" role="alert">
            {t("pos.approval.notManager")}
          </p>
        )}
        {error !== null && <ErrorMessage error={error} />}
        <div className="pos-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("pos.approval.busy") : t("pos.approval.submit")}
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel}>
            {t("pos.cancel")}
          </button>
        </div>
      </form>
    </Panel>
  );
}

/** A key of the till's keyboard, as shown beside an action. */
export function Key({ children }: { children: ReactNode }) {
  return <kbd className="pos-key">{children}</kbd>;
}
