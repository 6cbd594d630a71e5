/**
 * The services of Comptoir (SPEC §3). The gateway is the only public entry; the others sit behind it,
 * each with its own database.
 */
export const GATEWAY = "gateway" as const;

export const BACKEND_SERVICES = [
  "identity",
  "catalog",
  "inventory",
  "supply",
  "cart",
  "orders",
  "payments",
  "retail",
  "reporting",
  "search",
  "notifications",
] as const;

export type BackendService = (typeof BACKEND_SERVICES)[number];
export type ServiceName = BackendService | typeof GATEWAY;

export const ALL_SERVICES: readonly ServiceName[] = [GATEWAY, ...BACKEND_SERVICES];

export function isBackendService(name: string): name is BackendService {
  return (BACKEND_SERVICES as readonly string[]).includes(name);
}
