import type { ReactNode } from "react";
import type { SessionUser } from "../app/auth/session";
import type { MessageKey } from "../app/i18n/i18n";

/**
 * One section of the back office (`/backoffice/<path>/*`): its entry in the navigation, who sees it,
 * and its screens (a lazy component, so each section is a chunk of its own). BackofficeRoutes lists
 * the sections of each area (`catalog/`, `inventory/`, `replenishment/`, `ops/` …).
 */
export interface BackofficeSection {
  /** Under /backoffice/, without slashes: "catalog", "orders"… */
  path: string;
  /** Its name in the navigation. */
  labelKey: MessageKey;
  /** The roles that see it (the API decides in the end: a refused call is shown as a sentence). */
  roles: readonly SessionUser["role"][];
  /** Its screens; the section's own routes are relative to /backoffice/<path>/. */
  element: ReactNode;
}
