import { useState } from "react";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { usePos } from "../PosContext";
import { printDocument } from "../print";
import { fromLocal, receiptPage } from "../receipt";
import type { Till } from "../till";

/**
 * The sales kept in this browser: waiting for the platform (sent by themselves when it answers), or
 * refused by it after the fact (stock, a closed register…), which need a person: tried again as a new
 * sale, or discarded once dealt with. Nothing leaves this list silently.
 */
export function PendingPage({ till }: { till: Till }) {
  const i18n = useI18n();
  const { t, money, date } = i18n;
  const problemText = (code: string | undefined) => {
    const key = `error.${code ?? "unknown"}`;
    return i18n.has(key) ? t(key) : t("error.unknown");
  };
  const pos = usePos();
  const [confirm, setConfirm] = useState<string | null>(null);
  useDocumentTitle(t("pos.pending.title"));
  return (
    <section>
      <h1>{t("pos.pending.title")}</h1>
      <p className="lead">{t("pos.pending.lead")}</p>
      {pos.delivered.length > 0 && (
        <p className="alert alert-success" role="status">
          {t("pos.pending.delivered", { numbers: pos.delivered.map((d) => d.receiptNumber).join(", ") })}
        </p>
      )}
      {pos.queue.length === 0 ? (
        <p className="empty">{t("pos.pending.none")}</p>
      ) : (
        <>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => void pos.sync()}
            disabled={!pos.online}
          >
            {t("pos.pending.sendNow")}
          </button>
          <ul className="pos-pending">
            {pos.queue.map((sale) => (
              <li key={sale.id} className={`panel ${sale.state === "attention" ? "pos-attention" : ""}`}>
                <p>
                  <strong>{money(sale.preview.total)}</strong> · {date(sale.createdAt)} ·{" "}
                  {t("pos.pending.lines", { count: sale.preview.lines.length })}
                </p>
                <p className="muted pos-sku">{sale.id}</p>
                {sale.state === "attention" ? (
                  <p className="alert alert-error" role="alert">
                    {t("pos.pending.refused", { reason: problemText(sale.problem) })}
                  </p>
                ) : (
                  <p>{t("pos.pending.waiting")}</p>
                )}
                <div className="pos-actions">
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() =>
                      printDocument(
                        receiptPage(fromLocal(sale.preview, i18n), till.storeName, i18n, sale.id),
                        t("pos.receipt.title"),
                      )
                    }
                  >
                    {t("pos.done.print")}
                  </button>
                  {sale.state === "attention" && (
                    <>
                      <button
                        type="button"
                        className="button"
                        onClick={() => void pos.retry(sale.id)}
                        disabled={!pos.online}
                      >
                        {t("pos.pending.retry")}
                      </button>
                      {confirm === sale.id ? (
                        <button
                          type="button"
                          className="button button-secondary"
                          onClick={() => void pos.discard(sale.id)}
                        >
                          {t("pos.pending.discardConfirm")}
                        </button>
                      ) : (
                        <button type="button" className="button button-ghost" onClick={() => setConfirm(sale.id)}>
                          {t("pos.pending.discard")}
                        </button>
                      )}
                    </>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
