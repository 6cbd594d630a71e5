import { BACKEND_SERVICES, type BackendService, GATEWAY, isBackendService } from "@comptoir/contracts";
import { UsageError } from "../errors";

export type InstanceCounts = Record<BackendService, number>;

/**
 * Parses the values of `--instances` (repeatable, each `name=N` or a comma-separated list of them)
 * into a count per backend service; services not mentioned run one instance. A later value for
 * the same service wins.
 */
export function parseInstances(values: readonly string[]): InstanceCounts {
  const counts = Object.fromEntries(BACKEND_SERVICES.map((service) => [service, 1])) as InstanceCounts;
  for (const value of values) {
    for (const item of value.split(",")) {
      const pair = item.trim();
      if (!pair) continue;
      const [name = "", count, ...extra] = pair.split("=").map((part) => part.trim());
      if (count === undefined || extra.length > 0) {
        throw new UsageError(`--instances expects <service>=<count> (e.g. catalog=3), got "${pair}"`);
      }
      if (name === GATEWAY) {
        throw new UsageError("--instances: the gateway runs as one instance (it owns the public port)");
      }
      if (!isBackendService(name)) {
        throw new UsageError(`--instances: unknown service "${name}" (one of: ${BACKEND_SERVICES.join(", ")})`);
      }
      if (!/^\d+$/.test(count) || Number(count) < 1) {
        throw new UsageError(`--instances: the count for ${name} must be a positive integer, got "${count}"`);
      }
      counts[name] = Number(count);
    }
  }
  return counts;
}
