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

/**
 * Where each service listens by default when run alone (`comptoir service <name>`, a container).
 * The launcher assigns its own ports; the gateway's config file names these for DNS-addressed hosts.
 */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  gateway: 8080,
  identity: 3001,
  catalog: 3002,
  inventory: 3003,
  supply: 3004,
  cart: 3005,
  orders: 3006,
  payments: 3007,
  retail: 3008,
  reporting: 3009,
  search: 3010,
  notifications: 3011,
};
