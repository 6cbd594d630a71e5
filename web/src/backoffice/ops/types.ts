import type { ServicePaths } from "../../app/api/client";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Orders = ServicePaths["orders"];
type Retail = ServicePaths["retail"];
type Identity = ServicePaths["identity"];
type Notifications = ServicePaths["notifications"];

/** What the operations screens read and write, typed from the platform's OpenAPI documents. */
export type Order = Json<Orders["/api/orders/{id}"]["get"]["responses"][200]>;
export type OrderStatus = Order["status"];
export type OrdersQuery = NonNullable<Orders["/api/orders"]["get"]["parameters"]["query"]>;
export type OrdersPage = Json<Orders["/api/orders"]["get"]["responses"][200]>;

export type Store = Json<Retail["/api/retail/stores/{id}"]["get"]["responses"][200]>;
export type StoreInput = Retail["/api/retail/stores"]["post"]["requestBody"]["content"]["application/json"];
export type OpeningHours = Store["openingHours"];
export type Weekday = keyof OpeningHours;
export type Register = Json<Retail["/api/retail/stores/{id}/registers"]["get"]["responses"][200]>["data"][number];
export type SessionsQuery = NonNullable<Retail["/api/retail/sessions"]["get"]["parameters"]["query"]>;
export type CashSession = Json<Retail["/api/retail/sessions/{id}"]["get"]["responses"][200]>;

export type User = Json<Identity["/api/identity/users/{id}"]["get"]["responses"][200]>;
export type Role = User["role"];
export type UsersQuery = NonNullable<Identity["/api/identity/users"]["get"]["parameters"]["query"]>;
export type ApiKey = Json<Identity["/api/identity/api-keys"]["get"]["responses"][200]>["data"][number];
export type ApiKeyTier = ApiKey["tier"];
export type NewApiKey = Json<Identity["/api/identity/api-keys"]["post"]["responses"][201]>;

export type MailQuery = NonNullable<Notifications["/api/notifications/messages"]["get"]["parameters"]["query"]>;
export type Mail = Json<Notifications["/api/notifications/messages/{id}"]["get"]["responses"][200]>;
export type MailStatus = Mail["status"];
export type MailTemplate = NonNullable<MailQuery["template"]>;

export type DeadLetter = Json<Orders["/api/orders/admin/events/dead-letters"]["get"]["responses"][200]>["data"][number];

/** What GET /api/<service>/admin/events/status answers (the platform's EventBus.status(); untyped in the documents). */
export interface EventsStatus {
  service: string;
  instance?: string;
  outbox: { unsent: number; oldestUnsentSeconds: number };
  groups: { group: string; types: string[]; lag: Record<string, number> }[];
  deadLetters: { group: string; count: number }[];
}

/** What the gateway's GET /health/status answers (200 ok, 503 degraded): every service and its instances. */
export interface GatewayStatus {
  status: "ok" | "degraded" | "shutting_down";
  instance: string;
  services: Record<
    string,
    {
      status: "ok" | "down";
      instances: { url: string; status: string; since: string; latencyMs: number | null; error?: string }[];
    }
  >;
}

export const ROLES: readonly Role[] = ["admin", "manager", "clerk", "customer"];
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const ORDER_STATUSES: readonly OrderStatus[] = [
  "pending",
  "paid",
  "shipped",
  "delivered",
  "cancelled",
  "refunded",
];
export const TIERS: readonly ApiKeyTier[] = ["admin", "frontend", "mobile", "partner"];
export const MAIL_STATUSES: readonly MailStatus[] = ["queued", "sent", "stored", "dead", "superseded"];
