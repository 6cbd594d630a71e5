import { ConfigError, runService } from "@comptoir/platform";
import { buildApp } from "./app";
import { configSchema } from "./config";
import { defaultConfigFile, type GatewayConfig, loadGatewayConfig } from "./gateway.config";
import { defaultWebDist } from "./routes/web.routes";

await runService({
  name: "gateway",
  configSchema,
  // No migrationsDir: the gateway has no database.
  buildApp: ({ config, logger, instance }) => {
    let gateway: GatewayConfig;
    try {
      gateway = loadGatewayConfig({
        file: config.GATEWAY_CONFIG ?? defaultConfigFile(import.meta.url),
        healthCheckIntervalMs: config.HEALTH_CHECK_INTERVAL_MS,
        env: process.env,
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`gateway: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    logger.info(
      {
        file: gateway.file,
        upstreams: Object.fromEntries(gateway.upstreams.map((u) => [u.name, u.targets])),
        // Never the Redis URL itself: it may hold a password.
        rateLimits: gateway.rateLimits.enabled ? (gateway.rateLimits.redisUrl ? "redis" : "in-process") : "off",
        jwks: gateway.auth.jwksUrl ?? `through the ${gateway.auth.identityUpstream ?? "(missing)"} upstream`,
        corsOrigins: gateway.cors.origins,
        cacheMaxBytes: config.GATEWAY_CACHE_MAX_BYTES,
      },
      "gateway configuration loaded",
    );
    return buildApp({
      logger,
      instance,
      config: gateway,
      credential: config.SERVICE_CREDENTIAL,
      webDist: config.WEB_DIST_DIR ?? defaultWebDist(import.meta.url),
      cache: { maxBytes: config.GATEWAY_CACHE_MAX_BYTES, maxEntryBytes: config.GATEWAY_CACHE_MAX_ENTRY_BYTES },
    });
  },
});
