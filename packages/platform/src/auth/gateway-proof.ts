import { createHmac, timingSafeEqual } from "node:crypto";
import { GATEWAY_PROOF_HEADERS, IDENTITY_HEADERS } from "@comptoir/contracts";

/** What a gateway proof is the HMAC of, before the request's fields. */
export const GATEWAY_PROOF_CONTEXT = "comptoir-gateway-proof";
/** How far a proof's time may be from the verifier's clock, either way (replays, clock skew). */
export const GATEWAY_PROOF_MAX_AGE_SECONDS = 60;

/** What the gateway vouches for in a request it sends. */
export interface GatewayProofSubject {
  method: string;
  /** The request target as sent: path and query. */
  path: string;
  /** Its x-request-id, if any. */
  requestId?: string | undefined;
  /** Its x-comptoir-client-ip, if any. */
  clientIp?: string | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

function sign(credential: string, subject: GatewayProofSubject, time: string): string {
  // Newline-separated: none of the fields can hold one (HTTP forbids it in a method, target or header).
  const fields = [
    GATEWAY_PROOF_CONTEXT,
    subject.method.toUpperCase(),
    subject.path,
    subject.requestId ?? "",
    subject.clientIp ?? "",
    time,
  ];
  return createHmac("sha256", credential).update(fields.join("\n")).digest("hex");
}

/**
 * The headers by which the gateway proves that it sends a request, with this method, target,
 * request id and client address, now: GATEWAY_PROOF_HEADERS, signed with its SERVICE_CREDENTIAL
 * (deriveServiceCredential(INTERNAL_SECRET, "gateway")), which identity can derive and nobody else
 * holds. Nothing of the body is signed: the gateway streams it.
 */
export function gatewayProofHeaders(
  credential: string,
  subject: GatewayProofSubject,
  nowMs = Date.now(),
): Record<string, string> {
  const time = String(Math.floor(nowMs / 1000));
  return { [GATEWAY_PROOF_HEADERS.proof]: sign(credential, subject, time), [GATEWAY_PROOF_HEADERS.time]: time };
}

/**
 * Whether a received request carries the gateway's proof for its method, target, x-request-id and
 * x-comptoir-client-ip, made within GATEWAY_PROOF_MAX_AGE_SECONDS of now (compared in constant time).
 */
export function verifyGatewayProof(
  credential: string,
  request: { method: string; url: string; headers: Headers },
  nowMs = Date.now(),
): boolean {
  const { headers } = request;
  const proof = headers[GATEWAY_PROOF_HEADERS.proof];
  const time = headers[GATEWAY_PROOF_HEADERS.time];
  const requestId = headers["x-request-id"];
  const clientIp = headers[IDENTITY_HEADERS.clientIp];
  if (typeof proof !== "string" || typeof time !== "string" || !/^\d{1,12}$/.test(time)) return false;
  if (Array.isArray(requestId) || Array.isArray(clientIp)) return false;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(time)) > GATEWAY_PROOF_MAX_AGE_SECONDS) return false;
  const expected = Buffer.from(
    sign(credential, { method: request.method, path: request.url, requestId, clientIp }, time),
  );
  const presented = Buffer.from(proof);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
