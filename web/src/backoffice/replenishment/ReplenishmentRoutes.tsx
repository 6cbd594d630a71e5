import { Route, Routes } from "react-router";
import { NotFound } from "../ui";
import { RequestNewPage } from "./RequestNewPage";
import { RequestPage } from "./RequestPage";
import { RequestsPage } from "./RequestsPage";

/** /backoffice/replenishment/*: a store asks the central warehouse for stock; a manager decides. */
export default function ReplenishmentRoutes() {
  return (
    <Routes>
      <Route index element={<RequestsPage />} />
      <Route path="new" element={<RequestNewPage />} />
      <Route path=":id" element={<RequestPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
