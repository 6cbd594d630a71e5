import { useEffect } from "react";
import { useI18n } from "./i18n/i18n";

/** A polite "loading" for screens and lazy parts. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {t("app.loading")}
    </p>
  );
}

/** The page's title in the tab and for screen readers: "<title> · Comptoir". */
export function useDocumentTitle(title: string | undefined): void {
  const { t } = useI18n();
  useEffect(() => {
    document.title = title ? `${title} · ${t("app.name")}` : t("app.name");
  }, [title, t]);
}
