import type { Instance } from "./upstream";

/**
 * Chooses the instance for the next attempt among the eligible ones (never empty). Round-robin now;
 * least-connections can be added behind the same interface (each Instance counts its `inFlight`).
 */
export interface Balancer {
  pick(candidates: readonly Instance[]): Instance;
}

export type BalancerKind = "round-robin";

export function roundRobin(): Balancer {
  let next = 0;
  return {
    pick(candidates) {
      const instance = candidates[next % candidates.length]!;
      next = (next + 1) % 1_000_000_007;
      return instance;
    },
  };
}

export function createBalancer(kind: BalancerKind = "round-robin"): Balancer {
  switch (kind) {
    case "round-robin":
      return roundRobin();
  }
}
