import { useId, useRef, useState } from "react";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useOpsAction, useOpsQuery } from "../data";
import { type ApiKeyTier, type NewApiKey, TIERS } from "../types";
import { Badge, ConfirmButton, Done, Field, Loaded, OpsPage, Panel, Scroll } from "../ui";

/**
 * API keys (`/backoffice/api-keys`): create one (its secret shown once, here, with a copy button; identity
 * keeps only its hash), list them without their secrets, revoke one.
 */
export default function ApiKeysSection() {
  const { t, date } = useI18n();
  const [name, setName] = useState("");
  const [tier, setTier] = useState<ApiKeyTier>("partner");
  // The secret lives in this component's state only: never in the query cache, the URL or storage.
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const keys = useOpsQuery(["api-keys"], (client) => client.identity.GET("/api/identity/api-keys"));
  const create = useOpsAction(
    (client, body: { name: string; tier: ApiKeyTier }) => client.identity.POST("/api/identity/api-keys", { body }),
    (key) => {
      setName("");
      setDone(null);
      setCreated(key);
    },
  );
  const revoke = useOpsAction((client, key: { id: string; name: string }) =>
    client.identity.DELETE("/api/identity/api-keys/{id}", { params: { path: { id: key.id } } }),
  );
  return (
    <OpsPage title={t("ops.keys.title")}>
      <Done text={done} />
      {created && (
        <Secret
          created={created}
          onDismiss={() => {
            setCreated(null);
            setDone(t("ops.keys.hidden"));
          }}
        />
      )}
      <Panel title={t("ops.keys.create")}>
        <form
          className="ops-inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({ name: name.trim(), tier });
          }}
        >
          <Field label={t("ops.keys.name")}>
            {(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label={t("ops.keys.tier")} hint={t("ops.keys.tierHint")}>
            {(id, hint) => (
              <select
                id={id}
                value={tier}
                aria-describedby={hint}
                onChange={(e) => setTier(e.target.value as ApiKeyTier)}
              >
                {TIERS.map((value) => (
                  <option key={value} value={value}>
                    {t(`ops.keys.tier.${value}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="button" disabled={create.isPending}>
            {t("ops.keys.createButton")}
          </button>
        </form>
        {create.error ? <ErrorMessage error={create.error} /> : null}
      </Panel>
      <Panel title={t("ops.keys.list")}>
        {revoke.error ? <ErrorMessage error={revoke.error} /> : null}
        <Loaded query={keys}>
          {({ data }) =>
            data.length === 0 ? (
              <p className="empty">{t("ops.keys.none")}</p>
            ) : (
              <Scroll label={t("ops.keys.list")}>
                <table className="ops-table">
                  <thead>
                    <tr>
                      <th scope="col">{t("ops.keys.name")}</th>
                      <th scope="col">{t("ops.keys.prefix")}</th>
                      <th scope="col">{t("ops.keys.tier")}</th>
                      <th scope="col">{t("ops.keys.created")}</th>
                      <th scope="col">{t("ops.keys.lastUsed")}</th>
                      <th scope="col">{t("ops.keys.state")}</th>
                      <th scope="col">
                        <span className="visually-hidden">{t("ops.actions")}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((key) => (
                      <tr key={key.id}>
                        <td>
                          {key.name}
                          {key.demo && <span className="hint"> {t("ops.keys.demo")}</span>}
                        </td>
                        <td>
                          <code>{key.prefix}…</code>
                        </td>
                        <td>{t(`ops.keys.tier.${key.tier}`)}</td>
                        <td>{date(key.createdAt)}</td>
                        <td>{key.lastUsedAt ? date(key.lastUsedAt) : t("ops.keys.never")}</td>
                        <td>
                          {key.revokedAt ? (
                            <Badge tone="bad">{t("ops.keys.revokedAt", { at: date(key.revokedAt) })}</Badge>
                          ) : (
                            <Badge tone="ok">{t("ops.keys.active")}</Badge>
                          )}
                        </td>
                        <td>
                          {!key.revokedAt && (
                            <ConfirmButton
                              label={t("ops.keys.revoke")}
                              question={t("ops.keys.revokeQuestion", { name: key.name })}
                              confirmLabel={t("ops.keys.revokeConfirm")}
                              busy={revoke.isPending}
                              onConfirm={() =>
                                revoke.mutate(key, {
                                  onSuccess: () => setDone(t("ops.keys.revoked", { name: key.name })),
                                })
                              }
                            />
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Scroll>
            )
          }
        </Loaded>
      </Panel>
    </OpsPage>
  );
}

/** The new key's secret, shown this once: a warning, the key (selected on focus), a copy button, "done". */
function Secret({ created, onDismiss }: { created: NewApiKey; onDismiss(): void }) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
    } catch {
      // No clipboard (an insecure context, a refused permission): the key is selected to copy by hand.
      input.current?.select();
      setCopied("no");
    }
  }
  return (
    <section className="panel ops-secret" aria-labelledby={`${id}-title`} role="region">
      <h2 id={`${id}-title`}>{t("ops.keys.secretTitle", { name: created.name })}</h2>
      <p className="alert alert-error" role="alert">
        {t("ops.keys.secretWarning")}
      </p>
      <label htmlFor={id}>{t("ops.keys.secret")}</label>
      <div className="ops-secret-value">
        <input
          id={id}
          ref={input}
          readOnly
          value={created.key}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.target.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          {t("ops.keys.copy")}
        </button>
      </div>
      <p role="status" aria-live="polite" className="hint">
        {copied === "yes" ? t("ops.keys.copied") : copied === "no" ? t("ops.keys.copyByHand") : ""}
      </p>
      <button type="button" className="button button-secondary" onClick={onDismiss}>
        {t("ops.keys.dismiss")}
      </button>
    </section>
  );
}
