import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.search),
  /**
   * How long shared caches (the gateway) may keep an anonymous suggestion list: `Cache-Control:
   * s-maxage`. Suggestions are names, not prices or stock; product searches are never marked (an answer
   * reflects every change committed before it).
   */
  SUGGEST_SHARED_CACHE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 60,
    default: 1,
    description: "seconds a shared cache may keep an anonymous suggestion list (0-60; 0: not at all)",
  }),
});
