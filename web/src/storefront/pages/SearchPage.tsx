import { useSearchParams } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { SearchResults } from "../components/SearchResults";

/** /search?q=…: typo-tolerant, faceted results (the header's field and type-ahead lead here). */
export default function SearchPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const q = params.get("q")?.trim();
  const heading = q ? t("search.resultsFor", { q }) : t("search.all");
  useDocumentTitle(heading);
  return <SearchResults heading={heading} />;
}
