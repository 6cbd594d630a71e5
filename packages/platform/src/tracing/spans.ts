import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { currentContext, type RequestContext, runWithContext } from "../context/request-context";
import { newSpanId, newTraceId, type TraceParent } from "../context/traceparent";

/**
 * Spans at our own seams — a request in, a call out, a query, an event published and handled, a saga
 * step — written with the OpenTelemetry API. The tracer is there only once the SDK started
 * (`startTracing`, when OTEL_EXPORTER_OTLP_ENDPOINT is set); until then every function here answers
 * what the platform did before tracing existed (a new span id in the same trace, for `traceparent`)
 * and allocates no span: tracing off costs nothing.
 *
 * The request context (`RequestContext`: request id, trace id, span id) stays the one source of the
 * current trace: a span started here takes its parent from it unless told otherwise, and `inSpan`
 * makes the new span the current one, so logs (which print the context's ids) and spans agree.
 */
let tracer: Tracer | undefined;

export function installTracer(next: Tracer | undefined): void {
  tracer = next;
}

/** Whether spans are recorded and exported (the SDK started). */
export function isTracing(): boolean {
  return tracer !== undefined;
}

export type SpanKindName = "server" | "client" | "producer" | "consumer" | "internal";

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

export interface SpanOptions {
  kind?: SpanKindName;
  /**
   * The parent: a trace context received from another process (a `traceparent` header, an event's
   * envelope), or `null` for a new trace. Default: the current request context's span.
   */
  parent?: TraceParent | null;
  attributes?: Attributes;
  /** Spans this one relates to without being their child (an event handler links to the producer's span). */
  links?: TraceParent[];
}

/** A started span: its context to propagate, and what to say about it before it ends. */
export interface SpanHandle {
  readonly context: TraceParent;
  /** Whether this span is recorded (tracing on and the trace sampled): attributes are worth computing. */
  readonly recording: boolean;
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed (status ERROR) with the error's message, recording it as an exception. */
  fail(error: unknown): void;
  /** Marks the span failed with a message (an HTTP 5xx, say), without an exception. */
  failWith(message: string): void;
  end(): void;
}

const NOTHING = () => {};
const NOOP = { recording: false, setAttributes: NOTHING, fail: NOTHING, failWith: NOTHING, end: NOTHING };

/** A span that is not recorded: the same trace, a new span id (what propagation needs). */
export function untracedSpan(parent?: TraceParent | null): SpanHandle {
  const from = parent === undefined ? currentContext() : parent;
  return {
    ...NOOP,
    context: { traceId: from?.traceId ?? newTraceId(), spanId: newSpanId(), traceFlags: from?.traceFlags ?? "01" },
  };
}

function otelContextOf(parent: TraceParent | null | undefined): Context {
  const from = parent === undefined ? currentContext() : parent;
  if (!from) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: from.traceId,
    spanId: from.spanId,
    traceFlags: Number.parseInt(from.traceFlags, 16) || 0,
    // Whether it came from another process changes nothing in the ids; spans say so by their kind.
    isRemote: parent !== undefined,
  });
}

function linkOf(t: TraceParent): Link {
  return {
    context: {
      traceId: t.traceId,
      spanId: t.spanId,
      traceFlags: Number.parseInt(t.traceFlags, 16) || 0,
      isRemote: true,
    },
  };
}

class RecordedSpan implements SpanHandle {
  readonly context: TraceParent;
  readonly recording: boolean;
  private ended = false;

  constructor(private readonly span: Span) {
    const sc = span.spanContext();
    this.context = { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags.toString(16).padStart(2, "0") };
    this.recording = span.isRecording();
  }

  setAttributes(attributes: Attributes): void {
    if (this.recording) this.span.setAttributes(attributes);
  }

  fail(error: unknown): void {
    if (!this.recording) return;
    const err = error instanceof Error ? error : new Error(String(error));
    this.span.recordException(err);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  }

  failWith(message: string): void {
    if (this.recording) this.span.setStatus({ code: SpanStatusCode.ERROR, message });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }
}

/** Starts a span (ended by the caller); a non-recorded one when tracing is off. */
export function startSpan(name: string, options: SpanOptions = {}): SpanHandle {
  if (!tracer) return untracedSpan(options.parent);
  const span = tracer.startSpan(
    name,
    {
      kind: KINDS[options.kind ?? "internal"],
      ...(options.attributes && { attributes: options.attributes }),
      ...(options.links && { links: options.links.map(linkOf) }),
    },
    otelContextOf(options.parent),
  );
  return new RecordedSpan(span);
}

/**
 * Runs `fn` in a new span, the span being the current context's for what `fn` does (its queries,
 * calls and events are its children); a throw marks it failed. The request id stays the current
 * one unless `requestId` is given (an event handler takes the event's id).
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions & { requestId?: string },
  fn: (span: SpanHandle) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  const context: RequestContext = {
    requestId: options.requestId ?? currentContext()?.requestId ?? span.context.spanId,
    ...span.context,
  };
  return runWithContext(context, async () => {
    try {
      return await fn(span);
    } catch (error) {
      span.fail(error);
      throw error;
    } finally {
      span.end();
    }
  });
}
