import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { useSession } from "../app/auth/session";
import { ErrorMessage } from "../app/errors";
import { Loading } from "../app/ui";
import { ScopeProvider, useMe } from "./data";
import { Layout } from "./Layout";
import { SignIn } from "./SignIn";
import "./dashboards.css";

const OverviewPage = lazy(() => import("./pages/OverviewPage"));
const StorePage = lazy(() => import("./pages/StorePage"));
const StockPage = lazy(() => import("./pages/StockPage"));
const ConversionPage = lazy(() => import("./pages/ConversionPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

/** The managers' and admins' dashboards (`/dashboards/*`): reporting's figures, each screen its own chunk. */
export default function DashboardsRoutes() {
  const { user } = useSession();
  const staff = user?.role === "admin" || user?.role === "manager";
  return <Layout nav={staff}>{staff ? <Screens isAdmin={user?.role === "admin"} /> : <SignIn />}</Layout>;
}

function Screens({ isAdmin }: { isAdmin: boolean }) {
  // The session keeps the name and role; a manager's store comes from identity's profile.
  const me = useMe();
  if (me.error) return <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) return <Loading />;
  return (
    <ScopeProvider scope={{ isAdmin, storeId: isAdmin ? null : me.data.storeId }}>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route index element={<OverviewPage />} />
          <Route path="store/:storeId?" element={<StorePage />} />
          <Route path="stock" element={<StockPage />} />
          <Route path="conversion" element={<ConversionPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </ScopeProvider>
  );
}
