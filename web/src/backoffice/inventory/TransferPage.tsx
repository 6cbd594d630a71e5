import { type FormEvent, useState } from "react";
import { newKey } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { emptyItem, type ItemDraft, ItemsEditor, resolveItems, UnknownCodes } from "../items";
import { Badge, Field, LocationSelect, Outcome, Title, useAction, useLabels } from "../ui";

interface Transfer {
  id: string;
  reference: string;
  status: "completed" | "reversed";
  fromLocationId: string;
  toLocationId: string;
  items: { variantId: string; quantity: number }[];
  createdAt: string;
}

/**
 * /backoffice/inventory/transfer: move stock between two locations in one transaction
 * (`POST /api/inventory/transfers`, idempotent by its reference), and undo it (`…/reverse`).
 */
export function TransferPage() {
  const { t } = useI18n();
  const { call } = useSession();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [items, setItems] = useState<ItemDraft[]>([emptyItem]);
  const [reference, setReference] = useState(() => `bo-${newKey()}`);
  const [unknown, setUnknown] = useState<string[]>([]);
  const [transfer, setTransfer] = useState<Transfer | null>(null);
  const send = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTransfer(null);
    await send.run(async () => {
      const resolved = await resolveItems(call, items);
      setUnknown(resolved.unknown);
      if (resolved.unknown.length > 0) return;
      const done = await call((client) =>
        client.inventory.POST("/api/inventory/transfers", {
          body: { fromLocationId: from, toLocationId: to, items: resolved.items, reference: reference.trim() },
        }),
      );
      setTransfer(done);
      setItems([emptyItem]);
      setReference(`bo-${newKey()}`);
    });
  }

  return (
    <>
      <Title>{t("backoffice.inventory.transfer")}</Title>
      <form onSubmit={submit} className="panel">
        <div className="field-row bo-row">
          <LocationSelect label={t("backoffice.inventory.from")} value={from} onChange={setFrom} required />
          <LocationSelect label={t("backoffice.inventory.to")} value={to} onChange={setTo} required />
        </div>
        <fieldset>
          <legend>{t("backoffice.items.title")}</legend>
          <ItemsEditor items={items} onChange={setItems} />
        </fieldset>
        <Field label={t("backoffice.inventory.reference")} hint={t("backoffice.inventory.referenceHint")}>
          {(ids) => (
            <input
              {...ids}
              required
              maxLength={200}
              className="bo-code"
              value={reference}
              onChange={(e) => setReference(e.target.value)}
            />
          )}
        </Field>
        <UnknownCodes codes={unknown} />
        {from !== "" && from === to && (
          <p className="alert alert-error" role="alert">
            {t("backoffice.inventory.sameLocation")}
          </p>
        )}
        {send.error !== null && <ErrorMessage error={send.error} />}
        <button type="submit" className="button" disabled={send.busy || (from !== "" && from === to)}>
          {send.busy ? t("backoffice.sending") : t("backoffice.inventory.move")}
        </button>
      </form>
      {transfer && <TransferDone transfer={transfer} onReversed={setTransfer} />}
    </>
  );
}

function TransferDone({ transfer, onReversed }: { transfer: Transfer; onReversed(next: Transfer): void }) {
  const { t, date } = useI18n();
  const { call } = useSession();
  const labels = useLabels(transfer.items.map((i) => i.variantId));
  const reverse = useAction();
  return (
    <section className="panel" aria-labelledby="transfer-done">
      <h2 id="transfer-done">{t("backoffice.inventory.transferDone")}</h2>
      <p role="status">
        <Badge
          tone={transfer.status === "completed" ? "ok" : "muted"}
          label={t(`backoffice.inventory.transfer.${transfer.status}`)}
        />{" "}
        {t("backoffice.inventory.transferText", {
          from: labels.location(transfer.fromLocationId),
          to: labels.location(transfer.toLocationId),
          when: date(transfer.createdAt),
        })}
      </p>
      <ul>
        {transfer.items.map((item) => {
          const v = labels.variant(item.variantId);
          return (
            <li key={item.variantId}>
              {item.quantity} × {v.name} <span className="bo-code">{v.sku}</span>
            </li>
          );
        })}
      </ul>
      <Outcome action={reverse} />
      {transfer.status === "completed" && (
        <button
          type="button"
          className="button button-secondary"
          disabled={reverse.busy}
          onClick={() =>
            void reverse.run(async () => {
              onReversed(
                await call((client) =>
                  client.inventory.POST("/api/inventory/transfers/{id}/reverse", {
                    params: { path: { id: transfer.id } },
                  }),
                ),
              );
              return t("backoffice.inventory.reversed");
            })
          }
        >
          {t("backoffice.inventory.reverse")}
        </button>
      )}
    </section>
  );
}
