import { Link } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";

export default function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle(t("app.notFound.title"));
  return (
    <section className="empty-state">
      <h1>{t("app.notFound.title")}</h1>
      <p>{t("app.notFound.text")}</p>
      <Link to="/dashboards">{t("dashboards.nav.overview")}</Link>
    </section>
  );
}
