import { ProblemError } from "./api/client";
import { type MessageKey, useI18n } from "./i18n/i18n";

/**
 * The message key of an error: the problem's `code` when the catalog knows it (`error.card_declined`),
 * a family of codes otherwise (5xx: unavailable), a network failure when there was no answer. Never
 * the raw problem.
 */
export function errorKey(has: (key: string) => key is MessageKey, error: unknown): MessageKey {
  if (error instanceof ProblemError) {
    const key = `error.${error.code}`;
    if (has(key)) return key;
    if (error.status === 401) return "error.unauthorized";
    if (error.status === 403) return "error.forbidden";
    if (error.status === 429) return "error.rate_limited";
    if (error.status >= 500) return "error.service_unavailable";
    return "error.unknown";
  }
  return "error.network";
}

/** The error in plain words, in the current language. */
export function useErrorText(): (error: unknown) => string {
  const { t, has } = useI18n();
  return (error) => t(errorKey(has, error));
}

export function ErrorMessage({ error, onRetry, id }: { error: unknown; onRetry?: () => void; id?: string }) {
  const { t } = useI18n();
  const text = useErrorText();
  return (
    <div className="alert alert-error" role="alert" id={id}>
      <p>{text(error)}</p>
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t("app.retry")}
        </button>
      )}
    </div>
  );
}
