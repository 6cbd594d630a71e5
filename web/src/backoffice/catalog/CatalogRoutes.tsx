import { Route, Routes } from "react-router";
import { NotFound } from "../ui";
import { ProductCreatePage } from "./ProductCreatePage";
import { ProductEditPage } from "./ProductEditPage";
import { ProductListPage } from "./ProductListPage";

/** /backoffice/catalog/*: the products (list and search, create, edit with variants, prices and images). */
export default function CatalogRoutes() {
  return (
    <Routes>
      <Route index element={<ProductListPage />} />
      <Route path="new" element={<ProductCreatePage />} />
      <Route path=":id" element={<ProductEditPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
