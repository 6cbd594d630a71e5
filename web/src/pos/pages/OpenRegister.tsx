import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { codeOf } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { type Counts, DenominationCount, totalOf } from "../components";
import type { Till } from "../till";

/** The store's registers (`GET /api/retail/stores/{id}/registers`): the clerk picks the till they stand at. */
export function RegisterPicker({
  till,
  onPick,
}: {
  till: Till;
  onPick(register: { registerId: string; registerName: string }): void;
}) {
  const { t } = useI18n();
  const { call } = useSession();
  useDocumentTitle(t("pos.registers.title"));
  const registers = useQuery({
    queryKey: ["pos", till.userId, "registers", till.storeId],
    queryFn: () =>
      call((client) =>
        client.retail.GET("/api/retail/stores/{id}/registers", {
          params: { path: { id: till.storeId }, query: { limit: 100 } },
        }),
      ),
  });
  return (
    <section className="pos-narrow">
      <h1>{t("pos.registers.title")}</h1>
      <p className="lead">{t("pos.registers.lead", { store: till.storeName })}</p>
      {registers.error ? (
        <ErrorMessage error={registers.error} onRetry={() => void registers.refetch()} />
      ) : !registers.data ? (
        <Loading />
      ) : registers.data.data.length === 0 ? (
        <p className="empty">{t("pos.registers.none")}</p>
      ) : (
        <ul className="pos-choices">
          {registers.data.data.map((r, i) => (
            <li key={r.id}>
              <button
                type="button"
                className="button button-secondary button-block"
                // The first register takes the focus: Enter opens it.
                autoFocus={i === 0}
                onClick={() => onPick({ registerId: r.id, registerName: r.name })}
              >
                {r.name} <span className="muted">({r.code})</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Opening the register: the float counted per denomination, its sum sent as `openingFloat`. */
export function OpenRegister({
  till,
  onOpened,
  onOther,
}: {
  till: Till;
  onOpened(sessionId: string): void;
  onOther(): void;
}) {
  const { t, money } = useI18n();
  const { call } = useSession();
  const [counts, setCounts] = useState<Counts>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useDocumentTitle(t("pos.open.title"));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await call((client) =>
        client.retail.POST("/api/retail/registers/{id}/open", {
          params: { path: { id: till.registerId! } },
          body: { openingFloat: totalOf(counts) },
        }),
      );
      onOpened(session.id);
    } catch (failure) {
      if (codeOf(failure) === "session_already_open") onOpened("");
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <section className="pos-narrow pos-wide-ok">
      <h1>{t("pos.open.title", { register: till.registerName ?? "" })}</h1>
      <p className="lead">{t("pos.open.lead")}</p>
      <form onSubmit={submit} className="panel">
        <DenominationCount counts={counts} onChange={setCounts} />
        {error !== null && <ErrorMessage error={error} />}
        <div className="pos-actions">
          <button type="submit" className="button" disabled={busy}>
            {t("pos.open.submit", { amount: money(totalOf(counts)) })}
          </button>
          <button type="button" className="button button-secondary" onClick={onOther}>
            {t("pos.registers.other")}
          </button>
        </div>
      </form>
    </section>
  );
}
