import type { Logger } from "pino";
import { installTracer } from "./spans";

export interface TracingOptions {
  service: string;
  instance: string;
  version?: string;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The endpoint traces go to, or undefined when tracing is off (the standard OpenTelemetry variables). */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return undefined;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
}

function numberOf(value: string | undefined, fallback: number, min = 0): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(n) && n >= min ? n : fallback;
}

/**
 * Starts the OpenTelemetry trace SDK when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set:
 * spans batched and exported over OTLP/HTTP (JSON) to that collector. Returns the function that
 * flushes what is pending and stops it, or undefined when tracing stays off — then the SDK is not even
 * loaded. The SDK and exporter are imported only here, so a service without an endpoint pays nothing.
 *
 * Read from the environment, as every OpenTelemetry SDK reads them: OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT,
 * OTEL_TRACES_SAMPLER_ARG (the share of new traces kept, 0 to 1; default 1: every trace; a trace
 * started upstream follows the caller's decision), OTEL_BSP_SCHEDULE_DELAY (ms between exports,
 * default 5000), OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_RESOURCE_ATTRIBUTES
 * (e.g. deployment.environment.name=production), OTEL_SDK_DISABLED. `service.name` is the Comptoir
 * service's own name (OTEL_SERVICE_NAME does not apply: one launcher runs twelve services).
 */
export async function startTracing(options: TracingOptions): Promise<(() => Promise<void>) | undefined> {
  const env = options.env ?? process.env;
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return undefined;
  const [api, sdk, exporterModule, resources] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const { logger } = options;
  // The SDK's own complaints (an unreachable collector, a full queue) in our log, as warnings.
  api.diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ otel: args }, `opentelemetry: ${message}`),
      warn: (message, ...args) => logger.warn({ otel: args }, `opentelemetry: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const resource = resources.detectResources({ detectors: [resources.resourceAttributesEnvDetector] }).merge(
    resources.resourceFromAttributes({
      "service.name": options.service,
      "service.namespace": "comptoir",
      "service.instance.id": options.instance,
      ...(options.version && { "service.version": options.version }),
    }),
  );
  const ratio = Math.min(1, numberOf(env.OTEL_TRACES_SAMPLER_ARG, 1));
  const provider = new sdk.TracerProvider({
    resource,
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION itself.
        exporter: new exporterModule.OTLPTraceExporter(),
        scheduledDelayMillis: numberOf(env.OTEL_BSP_SCHEDULE_DELAY, 5_000, 1),
        maxQueueSize: numberOf(env.OTEL_BSP_MAX_QUEUE_SIZE, 2_048, 1),
        maxExportBatchSize: numberOf(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512, 1),
      }),
    ],
  });
  api.trace.setGlobalTracerProvider(provider);
  installTracer(provider.getTracer("@comptoir/platform"));
  logger.info({ endpoint, sampleRatio: ratio }, "tracing: spans exported over OTLP/HTTP");
  return async () => {
    installTracer(undefined);
    await provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, "tracing: last export failed"));
  };
}
