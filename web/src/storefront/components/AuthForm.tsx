import { type FormEvent, type ReactNode, useId, useState } from "react";
import { ErrorMessage } from "../../app/errors";

export interface AuthField {
  name: string;
  label: string;
  type: "text" | "email" | "password";
  autoComplete: string;
  hint?: string;
  minLength?: number;
}

/** A small form of labelled fields whose submission shows the problem's message above the button. */
export function AuthForm({
  fields,
  submitLabel,
  busyLabel,
  onSubmit,
  footer,
}: {
  fields: AuthField[];
  submitLabel: string;
  busyLabel: string;
  onSubmit(values: Record<string, string>): Promise<void>;
  footer?: ReactNode;
}) {
  const id = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <form className="panel auth-form" onSubmit={submit}>
      {fields.map((field) => (
        <div className="field" key={field.name}>
          <label htmlFor={`${id}-${field.name}`}>{field.label}</label>
          <input
            id={`${id}-${field.name}`}
            name={field.name}
            type={field.type}
            autoComplete={field.autoComplete}
            required
            minLength={field.minLength}
            aria-describedby={field.hint ? `${id}-${field.name}-hint` : undefined}
            value={values[field.name] ?? ""}
            onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
          />
          {field.hint && (
            <p className="hint" id={`${id}-${field.name}-hint`}>
              {field.hint}
            </p>
          )}
        </div>
      ))}
      {error !== null && <ErrorMessage error={error} />}
      <button type="submit" className="button button-block" disabled={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
      {footer}
    </form>
  );
}
