export {
  inSpan,
  isTracing,
  type SpanHandle,
  type SpanKindName,
  type SpanOptions,
  startSpan,
  untracedSpan,
} from "./spans";
export { startTracing, tracesEndpoint, type TracingOptions } from "./sdk";
