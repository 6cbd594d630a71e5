import { lazy } from "react";
import type { BackofficeSection } from "./section";

const Catalog = lazy(() => import("./catalog/CatalogRoutes"));
const Inventory = lazy(() => import("./inventory/InventoryRoutes"));
const Replenishment = lazy(() => import("./replenishment/ReplenishmentRoutes"));

/**
 * The catalog, inventory and replenishment sections. Roles follow the platform's permissions:
 * catalog:write is the admin's; stock:read and supply:request every staff member's.
 */
export const ownSections: BackofficeSection[] = [
  { path: "catalog", labelKey: "backoffice.nav.catalog", roles: ["admin"], element: <Catalog /> },
  {
    path: "inventory",
    labelKey: "backoffice.nav.inventory",
    roles: ["admin", "manager", "clerk"],
    element: <Inventory />,
  },
  {
    path: "replenishment",
    labelKey: "backoffice.nav.replenishment",
    roles: ["admin", "manager", "clerk"],
    element: <Replenishment />,
  },
];
