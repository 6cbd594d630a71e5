import { createHmac } from "node:crypto";
import { DEFAULT_INTERNAL_SECRET } from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import { deriveServiceCredential, developmentServiceCredential, gatewayProofHeaders, verifyGatewayProof } from "../src";
import { GATEWAY_PROOF_MAX_AGE_SECONDS } from "../src/auth/gateway-proof";

const CREDENTIAL = developmentServiceCredential("gateway");
const NOW = Date.parse("2026-12-06T10:00:00.000Z");
const subject = { method: "POST", path: "/api/identity/login?x=1", requestId: "req-1", clientIp: "203.0.113.7" };

/** A request as the receiving service sees it, carrying `proofHeaders` and the subject's headers. */
function received(proofHeaders: Record<string, string>, over: Partial<typeof subject> = {}) {
  const s = { ...subject, ...over };
  return {
    method: s.method,
    url: s.path,
    headers: { "x-request-id": s.requestId, "x-comptoir-client-ip": s.clientIp, ...proofHeaders },
  };
}

describe("the gateway's proof", () => {
  it("is an HMAC under the gateway's credential of the method, target, request id, client address and time", () => {
    const headers = gatewayProofHeaders(CREDENTIAL, subject, NOW);
    const time = String(NOW / 1000);
    expect(headers["x-comptoir-gateway-time"]).toBe(time);
    const expected = createHmac("sha256", CREDENTIAL)
      .update(["comptoir-gateway-proof", "POST", "/api/identity/login?x=1", "req-1", "203.0.113.7", time].join("\n"))
      .digest("hex");
    expect(headers["x-comptoir-gateway-proof"]).toBe(expected);
    expect(CREDENTIAL).toBe(deriveServiceCredential(DEFAULT_INTERNAL_SECRET, "gateway"));
  });

  it("verifies for the same request within the allowed age, either way", () => {
    const headers = gatewayProofHeaders(CREDENTIAL, subject, NOW);
    expect(verifyGatewayProof(CREDENTIAL, received(headers), NOW)).toBe(true);
    expect(verifyGatewayProof(CREDENTIAL, received(headers), NOW + GATEWAY_PROOF_MAX_AGE_SECONDS * 1000)).toBe(true);
    expect(verifyGatewayProof(CREDENTIAL, received(headers), NOW - GATEWAY_PROOF_MAX_AGE_SECONDS * 1000)).toBe(true);
  });

  it("verifies without a request id or client address when none was signed", () => {
    const headers = gatewayProofHeaders(CREDENTIAL, { method: "post", path: "/api/identity/internal/x" }, NOW);
    const request = { method: "POST", url: "/api/identity/internal/x", headers };
    expect(verifyGatewayProof(CREDENTIAL, request, NOW)).toBe(true);
    expect(verifyGatewayProof(CREDENTIAL, { ...request, headers: { ...headers, "x-request-id": "r" } }, NOW)).toBe(
      false,
    );
  });

  it("does not verify when anything it covers differs, when too old, or under another credential", () => {
    const headers = gatewayProofHeaders(CREDENTIAL, subject, NOW);
    const cases = {
      "another client address": verifyGatewayProof(CREDENTIAL, received(headers, { clientIp: "198.51.100.1" }), NOW),
      "another path": verifyGatewayProof(CREDENTIAL, received(headers, { path: "/api/identity/login" }), NOW),
      "another method": verifyGatewayProof(CREDENTIAL, received(headers, { method: "PUT" }), NOW),
      "another request id": verifyGatewayProof(CREDENTIAL, received(headers, { requestId: "req-2" }), NOW),
      "too old": verifyGatewayProof(CREDENTIAL, received(headers), NOW + (GATEWAY_PROOF_MAX_AGE_SECONDS + 1) * 1000),
      "from the future": verifyGatewayProof(
        CREDENTIAL,
        received(headers),
        NOW - (GATEWAY_PROOF_MAX_AGE_SECONDS + 1) * 1000,
      ),
      "another time": verifyGatewayProof(
        CREDENTIAL,
        received({ ...headers, "x-comptoir-gateway-time": String(NOW / 1000 + 1) }),
        NOW,
      ),
      "cart's credential": verifyGatewayProof(developmentServiceCredential("cart"), received(headers), NOW),
      "the master secret": verifyGatewayProof(DEFAULT_INTERNAL_SECRET, received(headers), NOW),
      "no proof": verifyGatewayProof(CREDENTIAL, received({ "x-comptoir-gateway-time": String(NOW / 1000) }), NOW),
      "no time": verifyGatewayProof(
        CREDENTIAL,
        received({ "x-comptoir-gateway-proof": headers["x-comptoir-gateway-proof"]! }),
        NOW,
      ),
      "a truncated proof": verifyGatewayProof(
        CREDENTIAL,
        received({ ...headers, "x-comptoir-gateway-proof": headers["x-comptoir-gateway-proof"]!.slice(0, 10) }),
        NOW,
      ),
      "a malformed time": verifyGatewayProof(
        CREDENTIAL,
        received({ ...headers, "x-comptoir-gateway-time": `${NOW / 1000}.0` }),
        NOW,
      ),
    };
    expect(cases).toEqual(Object.fromEntries(Object.keys(cases).map((what) => [what, false])));
  });
});
