import { type FormEvent, useId, useState } from "react";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { type Counts, countedOf, DenominationCount, totalOf } from "../components";
import { usePos } from "../PosContext";
import type { Till } from "../till";
import type { SessionReport } from "../types";
import { ReportView } from "./SessionReport";

/**
 * Closing the register: the drawer counted per denomination (`POST /api/retail/registers/{id}/close`
 * with `counted`), then the Z report with the variance (counted − expected).
 */
export function ClosePage({ till, onClosed }: { till: Till; onClosed(): void }) {
  const { t, money } = useI18n();
  const { call } = useSession();
  const pos = usePos();
  const id = useId();
  const [counts, setCounts] = useState<Counts>({});
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [z, setZ] = useState<SessionReport | null>(null);
  useDocumentTitle(t("pos.close.title"));
  const waiting = pos.queue.length;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await call((client) =>
        client.retail.POST("/api/retail/registers/{id}/close", {
          params: { path: { id: till.registerId! } },
          body: { counted: countedOf(counts), ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      );
      setZ(session.zReport);
    } catch (failure) {
      setError(failure);
    }
    setBusy(false);
  }

  if (z) {
    return (
      <section>
        <h1>{t("pos.close.zTitle")}</h1>
        <p className="alert alert-success" role="status">
          {t("pos.close.done")}
        </p>
        <ReportView report={z} />
        <button type="button" className="button" onClick={onClosed} autoFocus>
          {t("pos.close.again")}
        </button>
      </section>
    );
  }
  return (
    <section>
      <h1>{t("pos.close.title")}</h1>
      <p className="lead">{t("pos.close.lead")}</p>
      {waiting > 0 && (
        <p className="alert alert-error" role="alert">
          {t("pos.close.waiting", { count: waiting })}
        </p>
      )}
      {!pos.online ? (
        <p className="alert alert-error" role="alert">
          {t("pos.offline.needed")}
        </p>
      ) : (
        <form className="panel" onSubmit={submit}>
          <DenominationCount counts={counts} onChange={setCounts} />
          <div className="field">
            <label htmlFor={`${id}-note`}>{t("pos.close.note")}</label>
            <textarea id={`${id}-note`} value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
          </div>
          {error !== null && <ErrorMessage error={error} />}
          <button type="submit" className="button" disabled={busy}>
            {t("pos.close.submit", { amount: money(totalOf(counts)) })}
          </button>
        </form>
      )}
    </section>
  );
}
