import type { BalancerKind } from "../gateway.config";
import type { Instance } from "./instance";

export type { BalancerKind } from "../gateway.config";

/** Chooses the instance for the next attempt among the eligible ones (never empty). */
export interface Balancer {
  pick(candidates: readonly Instance[]): Instance;
}

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

/**
 * The instance with the fewest requests in flight (each Instance counts its `inFlight` until its
 * response body ends); ties go round-robin, so idle instances share the load evenly. A slow instance
 * accumulates in-flight requests and is picked less.
 */
export function leastConnections(): Balancer {
  let next = 0;
  return {
    pick(candidates) {
      const n = candidates.length;
      const start = next % n;
      next = (next + 1) % 1_000_000_007;
      let best = candidates[start]!;
      for (let k = 1; k < n && best.inFlight > 0; k++) {
        const candidate = candidates[(start + k) % n]!;
        if (candidate.inFlight < best.inFlight) best = candidate;
      }
      return best;
    },
  };
}

export function createBalancer(kind: BalancerKind = "round-robin"): Balancer {
  switch (kind) {
    case "round-robin":
      return roundRobin();
    case "least-connections":
      return leastConnections();
  }
}
