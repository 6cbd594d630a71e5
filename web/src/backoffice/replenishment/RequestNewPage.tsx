import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { newKey } from "../../app/api/client";
import { useSession } from "../../app/auth/session";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { emptyItem, type ItemDraft, ItemsEditor, resolveItems, UnknownCodes } from "../items";
import { Field, LocationSelect, Title, useAction, useLocations } from "../ui";

/** /backoffice/replenishment/new: a store asks the central warehouse for stock (`POST /api/supply/requests`). */
export function RequestNewPage() {
  const { t } = useI18n();
  const { call } = useSession();
  const navigate = useNavigate();
  const locations = useLocations();
  const stores = locations.data?.data.filter((l) => l.kind === "store") ?? [];
  const [chosen, setChosen] = useState("");
  // A clerk sees their store's location only: it is the one.
  const locationId = chosen || (stores.length === 1 ? stores[0]!.id : "");
  const [items, setItems] = useState<ItemDraft[]>([emptyItem]);
  const [note, setNote] = useState("");
  const [unknown, setUnknown] = useState<string[]>([]);
  const send = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    let created: string | null = null;
    await send.run(async () => {
      const resolved = await resolveItems(call, items);
      setUnknown(resolved.unknown);
      if (resolved.unknown.length > 0) return;
      // One key for this submission, whatever is sent again (a refreshed token, the gateway's own retry).
      const idempotencyKey = newKey();
      const request = await call((client) =>
        client.supply.POST("/api/supply/requests", {
          headers: { "idempotency-key": idempotencyKey },
          body: { locationId, items: resolved.items, note: note.trim() || null },
        }),
      );
      created = request.id;
    });
    if (created) void navigate(`/backoffice/replenishment/${created}`, { state: { notice: "created" } });
  }

  return (
    <>
      <Title>{t("backoffice.supply.newTitle")}</Title>
      <form onSubmit={submit} className="panel">
        <LocationSelect
          label={t("backoffice.supply.store")}
          kinds={["store"]}
          value={locationId}
          onChange={setChosen}
          required
        />
        <fieldset>
          <legend>{t("backoffice.items.title")}</legend>
          <ItemsEditor items={items} onChange={setItems} />
        </fieldset>
        <Field label={t("backoffice.supply.note")}>
          {(ids) => (
            <textarea {...ids} rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
          )}
        </Field>
        <UnknownCodes codes={unknown} />
        {send.error !== null && <ErrorMessage error={send.error} />}
        <button type="submit" className="button" disabled={send.busy}>
          {send.busy ? t("backoffice.sending") : t("backoffice.supply.send")}
        </button>
      </form>
    </>
  );
}
