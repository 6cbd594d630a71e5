import { DEFAULT_PORTS } from "@comptoir/contracts";
import { BaseServiceEnv, Env, serviceCredentialEnv, Type } from "@comptoir/platform";

/**
 * The gateway's environment. Routes, upstreams, tiers and the rest come from the declarative file
 * (gateway.config.ts); the variables below that name a setting of that file replace it there.
 */
export const configSchema = Type.Object({
  ...BaseServiceEnv,
  PORT: Env.port(DEFAULT_PORTS.gateway),
  // The public entry: listens on every interface unless told otherwise.
  HOST: Type.String({ default: "0.0.0.0", minLength: 1, description: "a host name or IP address to listen on" }),
  // Signs what the gateway tells identity (the client's address) and its own calls to identity.
  SERVICE_CREDENTIAL: serviceCredentialEnv("gateway", "that proves to identity the requests it sends"),
  GATEWAY_CONFIG: Type.Optional(
    Type.String({ minLength: 1, description: "the path of a gateway config file (JSON, like gateway.config.json)" }),
  ),
  HEALTH_CHECK_INTERVAL_MS: Type.Optional(
    Type.Integer({ minimum: 10, description: "an interval in milliseconds (integer >= 10)" }),
  ),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: "^rediss?://",
      description: "a Redis URL (redis://host:6379): rate-limit budgets are shared by every gateway instance",
    }),
  ),
  CORS_ORIGINS: Type.Optional(
    Type.String({ description: 'comma-separated origins allowed by CORS (https://shop.example,...) or "*"' }),
  ),
  JWKS_URL: Type.Optional(
    Type.String({
      pattern: "^https?://",
      description: "an http(s) URL of identity's JWKS (default: fetched through the identity upstream)",
    }),
  ),
  RATE_LIMIT_ANONYMOUS: Type.Optional(
    Type.Integer({ minimum: 1, description: "requests per window per client IP without key or token (integer >= 1)" }),
  ),
  RATE_LIMIT_USER: Type.Optional(
    Type.Integer({ minimum: 1, description: "requests per window per signed-in user (integer >= 1)" }),
  ),
  RATE_LIMIT_KEY_PREFIX: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "the prefix of the rate-limit counters' Redis keys (default comptoir:ratelimit:): two platforms on one Redis keep apart",
    }),
  ),
  GATEWAY_CACHE_MAX_BYTES: Type.Integer({
    minimum: 0,
    default: 64 * 1024 * 1024,
    description: "bytes of public responses the shared cache keeps (integer >= 0; 0 turns it off)",
  }),
  GATEWAY_CACHE_MAX_ENTRY_BYTES: Type.Integer({
    minimum: 1,
    default: 1024 * 1024,
    description: "the largest response body the shared cache keeps, in bytes (integer >= 1)",
  }),
  WEB_DIST_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description: "the folder of the built web application served at / (default: the repository's web/dist)",
    }),
  ),
  BODY_LIMIT_BYTES: Type.Optional(
    Type.Integer({ minimum: 1, description: "the largest request body in bytes (integer >= 1)" }),
  ),
});
