import { API_KEY_TIERS, type ApiKeyTier } from "@comptoir/contracts";
import { AppError, type Logger } from "@comptoir/platform";
import type { FastifyReply } from "fastify";
import type { RateLimitConfig, RouteRateLimit } from "../gateway.config";
import type { RateLimitStore } from "./rate-limit.store";

export type BudgetKind = "api_key" | "user" | "anonymous";

/** One budget, with its header values computed once. */
export interface Budget {
  kind: BudgetKind;
  /** Prepended to the subject in the store key (prefix, route scope, kind). */
  keyPrefix: string;
  limit: number;
  windowMs: number;
  limitHeader: string;
  policyHeader: string;
}

/** The budgets a route applies: its own for users and anonymous clients if it has an override. */
export interface RouteBudgets {
  tiers: Record<ApiKeyTier, Budget>;
  user: Budget;
  anonymous: Budget;
}

function budget(kind: BudgetKind, keyPrefix: string, limit: number, windowMs: number): Budget {
  return {
    kind,
    keyPrefix,
    limit,
    windowMs,
    limitHeader: String(limit),
    policyHeader: `${limit};w=${Math.ceil(windowMs / 1000)}`,
  };
}

export interface RateLimiter {
  /** The budgets of a route (its override, or the global ones). */
  budgetsFor(route: { service: string; rateLimit?: RouteRateLimit | undefined }): RouteBudgets;
  /**
   * Counts the request against `subject` in `budget`, sets the RateLimit-* headers, and throws a 429
   * problem with Retry-After when the budget is spent.
   */
  check(reply: FastifyReply, budget: Budget, subject: string): Promise<void>;
}

const WARN_EVERY_MS = 10_000;

/**
 * Rate limits: an API key's consumer against its tier's budget, else a verified user against the
 * user budget, else the client's IP against the anonymous budget; a route may have its own user and
 * anonymous budgets, counted apart. Counting happens in the store (memory, or Redis shared by every
 * gateway instance).
 *
 * If the store fails (Redis down or slow) the request goes through — fail open — with a warning
 * (at most one per 10 s) and a metric: losing rate limiting for a while is better than taking the
 * whole shop down with Redis.
 */
export function createRateLimiter(deps: {
  config: RateLimitConfig;
  store: RateLimitStore;
  logger: Logger;
  onLimited: (kind: BudgetKind) => void;
  onStoreError: () => void;
}): RateLimiter {
  const { config, store } = deps;
  const prefix = config.keyPrefix;
  const tiers = Object.fromEntries(
    API_KEY_TIERS.map((tier) => [tier, budget("api_key", `${prefix}key:`, config.tiers[tier], config.windowMs)]),
  ) as Record<ApiKeyTier, Budget>;
  const global: RouteBudgets = {
    tiers,
    user: budget("user", `${prefix}user:`, config.user, config.windowMs),
    anonymous: budget("anonymous", `${prefix}ip:`, config.anonymous, config.windowMs),
  };
  let lastWarning = 0;

  return {
    budgetsFor(route) {
      const own = route.rateLimit;
      if (!own) return global;
      return {
        tiers,
        user: budget("user", `${prefix}route:${route.service}:user:`, own.user, own.windowMs),
        anonymous: budget("anonymous", `${prefix}route:${route.service}:ip:`, own.anonymous, own.windowMs),
      };
    },

    async check(reply, b, subject) {
      let count: number;
      let resetMs: number;
      try {
        ({ count, resetMs } = await store.hit(b.keyPrefix + subject, b.windowMs));
      } catch (error) {
        deps.onStoreError();
        const now = Date.now();
        if (now - lastWarning >= WARN_EVERY_MS) {
          lastWarning = now;
          deps.logger.warn(
            { err: error, store: store.kind },
            "rate limiting is unavailable (store unreachable): requests are let through unlimited",
          );
        }
        return;
      }
      const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
      const remaining = b.limit - count;
      reply.header("ratelimit-limit", b.limitHeader);
      reply.header("ratelimit-remaining", remaining > 0 ? String(remaining) : "0");
      reply.header("ratelimit-reset", String(resetSeconds));
      reply.header("ratelimit-policy", b.policyHeader);
      if (remaining < 0) {
        deps.onLimited(b.kind);
        throw new AppError("rate_limited", 429, "Too many requests", {
          detail: `The rate limit of ${b.limit} requests per ${Math.ceil(b.windowMs / 1000)} s is spent; try again in ${resetSeconds} s.`,
          headers: { "retry-after": String(resetSeconds) },
        });
      }
    },
  };
}
