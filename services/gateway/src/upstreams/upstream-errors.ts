/** What went wrong talking to an upstream instance, in words for logs, problems and /health/ready. */
export interface UpstreamFailure {
  kind: "connection" | "timeout" | "aborted" | "other";
  /** The request certainly never reached the instance (connection refused, DNS, connect timeout). */
  neverSent: boolean;
  message: string;
}

const NEVER_SENT: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
};
const CONNECTION_LOST: Record<string, string> = {
  UND_ERR_SOCKET: "connection closed by the instance",
  ECONNRESET: "connection reset",
  EPIPE: "connection broken",
  UND_ERR_CLOSED: "connection closed",
};
const TIMEOUTS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function codeOf(error: unknown): string {
  const e = error as { code?: unknown; errors?: Array<{ code?: unknown }>; cause?: { code?: unknown } };
  if (typeof e?.code === "string") return e.code;
  // Connecting to a name with several addresses fails with an AggregateError of per-address errors.
  const inner = e?.errors?.[0]?.code ?? e?.cause?.code;
  return typeof inner === "string" ? inner : "";
}

export function classifyFailure(error: unknown): UpstreamFailure {
  const code = codeOf(error);
  const name = (error as Error | undefined)?.name;
  if (NEVER_SENT[code]) return { kind: "connection", neverSent: true, message: `${NEVER_SENT[code]} (${code})` };
  if (CONNECTION_LOST[code])
    return { kind: "connection", neverSent: false, message: `${CONNECTION_LOST[code]} (${code})` };
  if (TIMEOUTS.has(code) || name === "TimeoutError") return { kind: "timeout", neverSent: false, message: "timeout" };
  if (code === "UND_ERR_ABORTED" || name === "AbortError")
    return { kind: "aborted", neverSent: false, message: "aborted" };
  return { kind: "other", neverSent: false, message: (error as Error | undefined)?.message || code || "unknown error" };
}
