import { Link } from "react-router";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { CategoryChips } from "../components/CategoryChips";
import { ProductGrid } from "../components/ProductCard";
import { useCategories, useProductSearch } from "../queries";

export default function HomePage() {
  const { t } = useI18n();
  useDocumentTitle(undefined);
  const categories = useCategories();
  const newest = useProductSearch({ sort: "newest", limit: 8 });
  const top = (categories.data ?? []).filter((c) => c.parentId === null);

  return (
    <>
      <section className="hero">
        <h1>{t("home.title")}</h1>
        <p className="lead">{t("home.lead")}</p>
      </section>

      <section aria-labelledby="home-categories" className="section">
        <h2 id="home-categories">{t("home.categories")}</h2>
        {categories.isLoading && <Loading />}
        {categories.error && <ErrorMessage error={categories.error} onRetry={() => categories.refetch()} />}
        <CategoryChips categories={top} />
      </section>

      <section aria-labelledby="home-newest" className="section">
        <div className="section-head">
          <h2 id="home-newest">{t("home.newest")}</h2>
          <Link to="/search?sort=newest">{t("home.seeAll")}</Link>
        </div>
        {newest.isLoading && <Loading />}
        {newest.error && <ErrorMessage error={newest.error} onRetry={() => newest.refetch()} />}
        {newest.data && <ProductGrid hits={newest.data.data} />}
      </section>
    </>
  );
}
