import { randomBytes } from "node:crypto";

/** W3C Trace Context (https://www.w3.org/TR/trace-context/), version 00. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  traceFlags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  if (!header) return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, traceId, spanId, traceFlags] = match as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags };
}

export function formatTraceparent(t: TraceParent): string {
  return `00-${t.traceId}-${t.spanId}-${t.traceFlags}`;
}

export const newTraceId = (): string => randomBytes(16).toString("hex");
export const newSpanId = (): string => randomBytes(8).toString("hex");

/** The span of this process's work: same trace as the caller (if any), a new span id. */
export function continueTrace(incoming: TraceParent | undefined): TraceParent {
  return {
    traceId: incoming?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    traceFlags: incoming?.traceFlags ?? "01",
  };
}
