/**
 * The one spelling of a request's path that every decision of the gateway is taken on (which
 * service, public / internal / admin, rate-limit route, cache key) and that is forwarded as is.
 *
 * A service routes on a decoded path; the gateway must decide on the same path the service will
 * see, never on the raw bytes (`/api/%69dentity/internal/...` is identity's internal route). So the
 * target is normalized once, before routing (Fastify's `rewriteUrl`):
 * - absolute-form (`http://host/path`) is accepted only for the gateway's own Host, and becomes its
 *   path; `*` and anything else not starting with `/` is refused;
 * - percent-encoded unreserved characters (letters, digits, `-._~`) are decoded; every other escape
 *   is kept, in upper case; an escape that would decode to `/`, `\`, NUL or a control character, an
 *   invalid escape and invalid (overlong, truncated) UTF-8 are refused;
 * - raw `\`, control characters and non-ASCII bytes are refused (clients percent-encode them);
 * - `;parameters` of a segment are dropped, empty segments (`//`) and `.` are removed, `..`
 *   removes the segment before it (above the root: refused);
 * - a segment that ends in a dot (`internal.`) or that Unicode compatibility folding would change
 *   (fullwidth `ｉnternal`) is refused: it has two readings;
 * - the `/api/<service>` prefix is matched without regard to case and written as configured.
 * What cannot be normalized safely is refused with 400; the query string is kept as sent.
 */
export type NormalizedTarget = { ok: true; url: string } | { ok: false; reason: string };

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/** What a path may hold raw (RFC 3986 pchar and `/`, minus `%` handled apart). */
const RAW_ALLOWED = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

const refuse = (reason: string): NormalizedTarget => ({ ok: false, reason });

/** The path (before `?`) of an origin-form or absolute-form target, or a refusal. */
function pathOf(target: string, host: string | undefined): { path: string; query: string } | { reason: string } {
  let rest = target;
  if (!rest.startsWith("/")) {
    const absolute = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(rest);
    if (!absolute) return { reason: "the request target must be a path starting with /" };
    const authority = absolute[2]!.toLowerCase();
    if (!host || authority !== host.toLowerCase()) {
      return { reason: "an absolute request target must name this gateway's own host" };
    }
    rest = absolute[3] || "/";
    if (!rest.startsWith("/")) rest = `/${rest}`;
  }
  if (rest.includes("#")) return { reason: "a request target cannot hold a fragment (#)" };
  const q = rest.indexOf("?");
  return q === -1 ? { path: rest, query: "" } : { path: rest.slice(0, q), query: rest.slice(q) };
}

/** One segment, decoded where unambiguous and re-encoded otherwise; or a refusal. */
function normalizeSegment(raw: string): { segment: string } | { reason: string } {
  let out = "";
  let bytes: number[] = [];
  const flushBytes = (): string | undefined => {
    if (bytes.length === 0) return undefined;
    let text: string;
    try {
      text = utf8.decode(new Uint8Array(bytes));
    } catch {
      return "the path holds an escape that is not valid UTF-8 (overlong or truncated)";
    }
    if (text.normalize("NFKC") !== text) return "the path holds characters with a compatibility spelling";
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    bytes = [];
    return undefined;
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "%") {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return { reason: "the path holds an invalid percent-escape" };
      const byte = parseInt(hex, 16);
      i += 2;
      if (byte >= 0x80) {
        bytes.push(byte);
        continue;
      }
      const failed = flushBytes();
      if (failed) return { reason: failed };
      if (byte === 0x2f || byte === 0x5c) return { reason: "the path holds an encoded / or \\" };
      if (byte < 0x20 || byte === 0x7f) return { reason: "the path holds an encoded control character" };
      const ch = String.fromCharCode(byte);
      out += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
      continue;
    }
    const failed = flushBytes();
    if (failed) return { reason: failed };
    if (c === "\\") return { reason: "the path holds a \\" };
    if (!RAW_ALLOWED.test(c)) return { reason: "the path holds a character that must be percent-encoded" };
    out += c;
  }
  const failed = flushBytes();
  if (failed) return { reason: failed };
  return { segment: out };
}

/**
 * Normalizes `target` (the request line's target, as received). `prefixes` are the configured
 * `/api/<service>` prefixes, written as they should be forwarded.
 */
export function normalizeTarget(
  target: string,
  host: string | undefined,
  prefixes: readonly string[],
): NormalizedTarget {
  const parts = pathOf(target, host);
  if ("reason" in parts) return refuse(parts.reason);
  const segments: string[] = [];
  const rawSegments = parts.path.split("/");
  for (const rawSegment of rawSegments) {
    // `;parameters` belong to the segment, not to its name.
    const semicolon = rawSegment.indexOf(";");
    const named = semicolon === -1 ? rawSegment : rawSegment.slice(0, semicolon);
    const result = normalizeSegment(named);
    if ("reason" in result) return refuse(result.reason);
    const segment = result.segment;
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.length === 0) return refuse("the path climbs above the root (..)");
      segments.pop();
      continue;
    }
    if (segment.endsWith(".")) return refuse("a path segment cannot end with a dot");
    segments.push(segment);
  }
  const last = rawSegments[rawSegments.length - 1];
  const trailingSlash = segments.length > 0 && (last === "" || last === "." || last === "..");
  let path = `/${segments.join("/")}${trailingSlash ? "/" : ""}`;
  const lower = path.toLowerCase();
  for (const prefix of prefixes) {
    const p = prefix.toLowerCase();
    if (lower === p || lower.startsWith(`${p}/`)) {
      path = prefix + path.slice(prefix.length);
      break;
    }
  }
  return { ok: true, url: path + parts.query };
}

/** Which part of a service a normalized path is in: its internal endpoints, its admin endpoints, or the rest. */
export type Section = "internal" | "admin" | "public";

/** The section of a normalized `url` under `prefix`: its first segment after the prefix, in any case. */
export function sectionOf(url: string, prefix: string): Section {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  if (path.length <= prefix.length + 1) return "public";
  const end = path.indexOf("/", prefix.length + 1);
  const first = path.slice(prefix.length + 1, end === -1 ? undefined : end).toLowerCase();
  return first === "internal" ? "internal" : first === "admin" ? "admin" : "public";
}
