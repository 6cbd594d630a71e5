import { Route, Routes } from "react-router";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import { NotFound, SubNav } from "../ui";
import { AlertsPage } from "./AlertsPage";
import { LevelsPage } from "./LevelsPage";
import { MovementsPage } from "./MovementsPage";
import { TransferPage } from "./TransferPage";

/** May the signed-in user change stock (stock:adjust: a manager or an admin)? */
export function useCanAdjust(): boolean {
  const { user } = useSession();
  return user?.role === "admin" || user?.role === "manager";
}

/** /backoffice/inventory/*: levels (adjust, thresholds), the ledger, low-stock alerts, transfers. */
export default function InventoryRoutes() {
  const { t } = useI18n();
  const canAdjust = useCanAdjust();
  return (
    <>
      <SubNav
        label={t("backoffice.nav.inventory")}
        links={[
          { to: "/backoffice/inventory", label: t("backoffice.inventory.levels"), end: true },
          { to: "/backoffice/inventory/movements", label: t("backoffice.inventory.movements") },
          { to: "/backoffice/inventory/alerts", label: t("backoffice.inventory.alerts") },
          ...(canAdjust ? [{ to: "/backoffice/inventory/transfer", label: t("backoffice.inventory.transfer") }] : []),
        ]}
      />
      <Routes>
        <Route index element={<LevelsPage />} />
        <Route path="movements" element={<MovementsPage />} />
        <Route path="alerts" element={<AlertsPage />} />
        {canAdjust && <Route path="transfer" element={<TransferPage />} />}
        <Route path="*" element={<NotFound />} />
      </Routes>
    </>
  );
}
