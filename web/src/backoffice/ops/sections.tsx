import { lazy, type ReactNode, Suspense } from "react";
import { Loading } from "../../app/ui";
import type { BackofficeSection } from "../section";

const OrdersSection = lazy(() => import("./orders/OrdersSection"));
const StoresSection = lazy(() => import("./stores/StoresSection"));
const UsersSection = lazy(() => import("./users/UsersSection"));
const ApiKeysSection = lazy(() => import("./keys/ApiKeysSection"));
const MailboxSection = lazy(() => import("./mailbox/MailboxSection"));
const SystemSection = lazy(() => import("./system/SystemSection"));

/** A section's screens, loaded when first opened (a chunk of their own). */
const chunk = (element: ReactNode) => <Suspense fallback={<Loading />}>{element}</Suspense>;

/**
 * The operations sections of the back office: online orders, stores and registers, users and API keys,
 * mailbox, system. The roles are those the APIs serve (orders:manage for the orders; every staff member
 * reads their own store; users, keys, mails and the platform's state are the admins').
 */
export const opsSections: BackofficeSection[] = [
  {
    path: "orders",
    labelKey: "ops.nav.orders",
    roles: ["admin", "manager"],
    element: chunk(<OrdersSection />),
  },
  {
    path: "stores",
    labelKey: "ops.nav.stores",
    roles: ["admin", "manager", "clerk"],
    element: chunk(<StoresSection />),
  },
  { path: "users", labelKey: "ops.nav.users", roles: ["admin"], element: chunk(<UsersSection />) },
  { path: "api-keys", labelKey: "ops.nav.keys", roles: ["admin"], element: chunk(<ApiKeysSection />) },
  { path: "mailbox", labelKey: "ops.nav.mailbox", roles: ["admin"], element: chunk(<MailboxSection />) },
  { path: "system", labelKey: "ops.nav.system", roles: ["admin"], element: chunk(<SystemSection />) },
];
