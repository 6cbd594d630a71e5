import { Link, useParams } from "react-router";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { CategoryChips } from "../components/CategoryChips";
import { SearchResults } from "../components/SearchResults";
import { useCategories } from "../queries";

/** /c/:id/:slug: a category's products (its sub-categories' included), with the search's facets. */
export default function CategoryPage() {
  const { t } = useI18n();
  const { id } = useParams();
  const categories = useCategories();
  const category = categories.data?.find((c) => c.id === id);
  const children = (categories.data ?? []).filter((c) => c.parentId === id);
  const parent = category?.parentId ? categories.data?.find((c) => c.id === category.parentId) : undefined;
  useDocumentTitle(category?.name);

  if (categories.isLoading) return <Loading />;
  if (categories.error) return <ErrorMessage error={categories.error} onRetry={() => categories.refetch()} />;
  if (!category) {
    return (
      <div className="empty-state">
        <h1>{t("app.notFound.title")}</h1>
        <p>{t("category.notFound")}</p>
        <Link to="/">{t("app.backHome")}</Link>
      </div>
    );
  }
  return (
    <>
      <nav aria-label={t("product.breadcrumb")} className="breadcrumb">
        <ol>
          <li>
            <Link to="/">{t("nav.home")}</Link>
          </li>
          {parent && (
            <li>
              <Link to={`/c/${parent.id}/${parent.slug}`}>{parent.name}</Link>
            </li>
          )}
          <li aria-current="page">{category.name}</li>
        </ol>
      </nav>
      {children.length > 0 && (
        <nav aria-label={t("category.sub")}>
          <CategoryChips categories={children} />
        </nav>
      )}
      <SearchResults key={category.id} fixed={{ category: category.id }} heading={category.name} />
    </>
  );
}
