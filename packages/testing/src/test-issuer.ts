import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Permission,
  ROLE_PERMISSIONS,
  type Role,
  SERVICE_ACCOUNTS,
  SERVICE_ROLE,
  type ServiceAccountName,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "@comptoir/contracts";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { createTokenVerifier, type TokenVerifier } from "@comptoir/platform";

export interface TestTokenOptions {
  role?: Role;
  sub?: string;
  storeId?: string | null;
  /** Defaults to the role's permissions. */
  permissions?: Permission[];
  /** Seconds until expiry (negative: already expired). Default 900. */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  /** A service token of this account instead (role `service`, its id as `sub`, its permissions, `svc`). */
  service?: ServiceAccountName;
  /** More claims, set last (to forge what identity never issues). */
  claims?: Record<string, unknown>;
}

/**
 * An identity stand-in for service tests: an Ed25519 key pair that signs access tokens exactly as
 * identity does, a verifier trusting it, and (on demand) a JWKS served over HTTP for components that
 * fetch keys by URL (the gateway). Tests of identity itself use the real service.
 */
export interface TestIssuer {
  kid: string;
  jwks: { keys: JWK[] };
  verifier: TokenVerifier;
  token(options?: TestTokenOptions): Promise<string>;
  /** A new signing key, published next to the old one (as identity's rotation does); later tokens use it. */
  rotate(): Promise<void>;
  /** Serves `jwks` at the returned URL until `close()`. */
  serveJwks(): Promise<string>;
  close(): Promise<void>;
}

export async function createTestIssuer(): Promise<TestIssuer> {
  const jwks: { keys: JWK[] } = { keys: [] };
  let kid = "";
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  async function newKey() {
    const pair = await generateKeyPair(TOKEN_ALGORITHM, { crv: "Ed25519", extractable: true });
    kid = randomUUID();
    privateKey = pair.privateKey;
    jwks.keys.push({ ...(await exportJWK(pair.publicKey)), kid, alg: TOKEN_ALGORITHM, use: "sig" });
  }
  await newKey();
  const verifier = createTokenVerifier({ keys: createLocalJWKSet(jwks) });
  let server: ReturnType<typeof createServer> | undefined;

  return {
    get kid() {
      return kid;
    },
    jwks,
    rotate: newKey,
    verifier,
    async token(options: TestTokenOptions = {}) {
      const role = options.role ?? "admin";
      const account = options.service ? SERVICE_ACCOUNTS[options.service] : undefined;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        role: account ? SERVICE_ROLE : role,
        permissions: options.permissions ?? [...(account?.permissions ?? ROLE_PERMISSIONS[role])],
        storeId: options.storeId ?? null,
        ...(options.service ? { svc: options.service } : {}),
        ...options.claims,
      })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid, typ: "JWT" })
        .setSubject(options.sub ?? account?.id ?? randomUUID())
        .setIssuer(options.issuer ?? TOKEN_ISSUER)
        .setAudience(options.audience ?? TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setJti(randomUUID())
        .setExpirationTime(now + (options.expiresIn ?? 900))
        .sign(privateKey);
    },
    async serveJwks() {
      server ??= createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(jwks));
      });
      if (!server.listening) await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/identity/.well-known/jwks.json`;
    },
    async close() {
      if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
