import { type FormEvent, useState } from "react";
import { ErrorMessage } from "../../../app/errors";
import { useI18n } from "../../../app/i18n/i18n";
import { useManagers } from "../data";
import { type Store, type StoreInput, WEEKDAYS, type Weekday } from "../types";
import { Field, shortOf } from "../ui";
import { EMPTY_HOURS, type HoursText, hoursToText, textToHours } from "./hours";

interface Draft {
  code: string;
  name: string;
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
  phone: string;
  email: string;
  timezone: string;
  managerId: string;
  hours: HoursText;
}

const draftOf = (store: Store | undefined): Draft => ({
  code: store?.code ?? "",
  name: store?.name ?? "",
  line1: store?.address.line1 ?? "",
  line2: store?.address.line2 ?? "",
  postalCode: store?.address.postalCode ?? "",
  city: store?.address.city ?? "",
  country: store?.address.country ?? "FR",
  phone: store?.phone ?? "",
  email: store?.email ?? "",
  timezone: store?.timezone ?? "Europe/Paris",
  managerId: store?.managerId ?? "",
  hours: store ? hoursToText(store.openingHours) : { ...EMPTY_HOURS },
});

const ZONES: readonly string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

/**
 * A store's form: a new store (its code too) or an existing one's changes. The manager is picked among
 * the active managers (identity's users, read by admins only).
 */
export function StoreForm({
  store,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  store?: Store;
  busy: boolean;
  error: unknown;
  onSubmit(input: StoreInput): void;
  onCancel?: () => void;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(() => draftOf(store));
  const [invalidDays, setInvalidDays] = useState<readonly Weekday[]>([]);
  const managers = useManagers(true);
  const edit = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));
  const text = (name: Exclude<keyof Draft, "hours">) => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => edit({ [name]: event.target.value }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = textToHours(draft.hours);
    if ("invalid" in parsed) {
      setInvalidDays(parsed.invalid);
      return;
    }
    setInvalidDays([]);
    onSubmit({
      code: draft.code.trim(),
      name: draft.name.trim(),
      address: {
        line1: draft.line1.trim(),
        ...(draft.line2.trim() ? { line2: draft.line2.trim() } : {}),
        postalCode: draft.postalCode.trim(),
        city: draft.city.trim(),
        country: draft.country.trim().toUpperCase(),
      },
      phone: draft.phone.trim(),
      email: draft.email.trim(),
      timezone: draft.timezone.trim(),
      managerId: draft.managerId || null,
      openingHours: parsed.hours,
    });
  }

  return (
    <form onSubmit={submit}>
      <div className="ops-grid">
        {!store && (
          <Field label={t("ops.store.code")} hint={t("ops.store.codeHint")}>
            {(id, hint) => (
              <input
                id={id}
                required
                maxLength={40}
                pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,39}"
                aria-describedby={hint}
                {...text("code")}
              />
            )}
          </Field>
        )}
        <Field label={t("ops.store.name")}>
          {(id) => <input id={id} required maxLength={120} {...text("name")} />}
        </Field>
        <Field label={t("ops.store.line1")}>
          {(id) => <input id={id} required maxLength={200} {...text("line1")} />}
        </Field>
        <Field label={t("ops.store.line2")}>{(id) => <input id={id} maxLength={200} {...text("line2")} />}</Field>
        <Field label={t("ops.store.postalCode")}>
          {(id) => <input id={id} required maxLength={20} {...text("postalCode")} />}
        </Field>
        <Field label={t("ops.store.city")}>
          {(id) => <input id={id} required maxLength={100} {...text("city")} />}
        </Field>
        <Field label={t("ops.store.country")} hint={t("ops.store.countryHint")}>
          {(id, hint) => (
            <input id={id} required maxLength={2} pattern="[A-Za-z]{2}" aria-describedby={hint} {...text("country")} />
          )}
        </Field>
        <Field label={t("ops.store.phone")}>
          {(id) => <input id={id} type="tel" required maxLength={40} {...text("phone")} />}
        </Field>
        <Field label={t("ops.store.email")}>
          {(id) => <input id={id} type="email" required maxLength={254} {...text("email")} />}
        </Field>
        <Field label={t("ops.store.timezone")} hint={t("ops.store.timezoneHint")}>
          {(id, hint) => (
            <>
              <input id={id} required list={`${id}-zones`} aria-describedby={hint} {...text("timezone")} />
              <datalist id={`${id}-zones`}>
                {ZONES.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={t("ops.store.manager")}>
          {(id) => (
            <select id={id} {...text("managerId")}>
              <option value="">{t("ops.store.noManager")}</option>
              {managers.data?.data.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.name} ({user.email})
                </option>
              ))}
              {draft.managerId && !managers.data?.data.some((user) => user.id === draft.managerId) && (
                <option value={draft.managerId}>{shortOf(draft.managerId)}</option>
              )}
            </select>
          )}
        </Field>
      </div>
      <fieldset>
        <legend>{t("ops.store.hours")}</legend>
        <p className="hint">{t("ops.store.hoursHint")}</p>
        <div className="ops-hours">
          {WEEKDAYS.map((day) => (
            <Field key={day} label={t(`ops.day.${day}`)}>
              {(id) => (
                <input
                  id={id}
                  value={draft.hours[day]}
                  placeholder="09:00-19:00"
                  aria-invalid={invalidDays.includes(day) || undefined}
                  onChange={(event) => edit({ hours: { ...draft.hours, [day]: event.target.value } })}
                />
              )}
            </Field>
          ))}
        </div>
        {invalidDays.length > 0 && (
          <p className="alert alert-error" role="alert">
            {t("ops.store.hoursInvalid", { days: invalidDays.map((day) => t(`ops.day.${day}`)).join(", ") })}
          </p>
        )}
      </fieldset>
      {error ? <ErrorMessage error={error} /> : null}
      <div className="ops-actions">
        <button type="submit" className="button" disabled={busy}>
          {t(store ? "ops.save" : "ops.store.create")}
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            {t("ops.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
