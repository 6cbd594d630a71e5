import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { useSession } from "../app/auth/session";
import { ErrorMessage } from "../app/errors";
import { useI18n } from "../app/i18n/i18n";
import { StaffFrame } from "../app/staff/StaffFrame";
import { StaffSignIn } from "../app/staff/StaffSignIn";
import { Loading } from "../app/ui";
import { ScopeProvider, useMe } from "./data";
import "./dashboards.css";

const OverviewPage = lazy(() => import("./pages/OverviewPage"));
const StorePage = lazy(() => import("./pages/StorePage"));
const StockPage = lazy(() => import("./pages/StockPage"));
const ConversionPage = lazy(() => import("./pages/ConversionPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

/** The managers' and admins' dashboards (`/dashboards/*`): reporting's figures, each screen its own chunk. */
export default function DashboardsRoutes() {
  const { t } = useI18n();
  const { user } = useSession();
  const staff = user?.role === "admin" || user?.role === "manager";
  const links = [
    { to: "/dashboards", label: t("dashboards.nav.overview"), end: true },
    { to: "/dashboards/store", label: t("dashboards.nav.store") },
    { to: "/dashboards/stock", label: t("dashboards.nav.stock") },
    ...(user?.role === "admin" ? [{ to: "/dashboards/conversion", label: t("dashboards.nav.conversion") }] : []),
  ];
  return (
    <StaffFrame
      part={t("dashboards.title")}
      navLabel={t("dashboards.nav.label")}
      links={staff ? links : undefined}
      queryKey="dashboards"
      keepSearch
      // The store picked changes /store/:storeId: still the same screen.
      screenOf={(pathname) => pathname.split("/")[2] ?? ""}
    >
      {staff ? (
        <Screens isAdmin={user?.role === "admin"} />
      ) : (
        <StaffSignIn
          title={t("dashboards.signIn.title")}
          lead={t("dashboards.signIn.lead")}
          refused={(name) => t("dashboards.signIn.notStaff", { name })}
        />
      )}
    </StaffFrame>
  );
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
