import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { usePos } from "../PosContext";
import type { Till } from "../till";
import { parseAmount } from "./SalePage";
import { ReportView } from "./SessionReport";

type Reason = "bank_drop" | "petty_cash" | "float_top_up" | "other";
const REASONS: Reason[] = ["bank_drop", "petty_cash", "float_top_up", "other"];

/** The X report of the open session (`GET /api/retail/registers/{id}/x-report`) and cash in or out. */
export function ReportPage({ till }: { till: Till }) {
  const { t } = useI18n();
  const { call } = useSession();
  const pos = usePos();
  useDocumentTitle(t("pos.report.title"));
  const report = useQuery({
    queryKey: ["pos", till.userId, "x-report", till.registerId],
    queryFn: () =>
      call((client) =>
        client.retail.GET("/api/retail/registers/{id}/x-report", { params: { path: { id: till.registerId! } } }),
      ),
    staleTime: 0,
    enabled: pos.online,
  });
  return (
    <section>
      <h1>{t("pos.report.title")}</h1>
      {!pos.online ? (
        <p className="alert alert-error" role="alert">
          {t("pos.offline.needed")}
        </p>
      ) : report.error ? (
        <ErrorMessage error={report.error} onRetry={() => void report.refetch()} />
      ) : !report.data ? (
        <Loading />
      ) : (
        <ReportView report={report.data} />
      )}
      {pos.online && <CashMovement till={till} onDone={() => void report.refetch()} />}
    </section>
  );
}

/** Cash put in or taken out of the drawer (`POST /api/retail/registers/{id}/cash-movements`). */
function CashMovement({ till, onDone }: { till: Till; onDone(): void }) {
  const { t } = useI18n();
  const { call } = useSession();
  const id = useId();
  const [direction, setDirection] = useState<"in" | "out">("out");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState<Reason>("bank_drop");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const cents = parseAmount(amount);
    if (!cents) return setError(new Error("amount"));
    try {
      await call((client) =>
        client.retail.POST("/api/retail/registers/{id}/cash-movements", {
          params: { path: { id: till.registerId! } },
          body: { direction, amount: cents, reason, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      );
      setAmount("");
      setNote("");
      setSaved(true);
      onDone();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("pos.movement.title")}</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-direction`}>{t("pos.movement.direction")}</label>
          <select
            id={`${id}-direction`}
            value={direction}
            onChange={(e) => setDirection(e.target.value as "in" | "out")}
          >
            <option value="out">{t("pos.movement.out")}</option>
            <option value="in">{t("pos.movement.in")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-amount`}>{t("pos.movement.amount")}</label>
          <input
            id={`${id}-amount`}
            inputMode="decimal"
            required
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t("pos.movement.reason")}</label>
          <select id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value as Reason)}>
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`pos.movement.reason.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-note`}>{t("pos.movement.note")}</label>
          <input id={`${id}-note`} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </div>
      </div>
      {error instanceof Error && error.message === "amount" ? (
        <p className="alert alert-error" role="alert">
          {t("pos.movement.invalid")}
        </p>
      ) : error !== null ? (
        <ErrorMessage error={error} />
      ) : null}
      {saved && (
        <p className="alert alert-success" role="status">
          {t("pos.movement.saved")}
        </p>
      )}
      <button type="submit" className="button">
        {t("pos.movement.submit")}
      </button>
    </form>
  );
}
