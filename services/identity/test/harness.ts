import { IDENTITY_HEADERS, type Role } from "@comptoir/contracts";
import { deriveServiceCredential, gatewayProofHeaders, migrationsDirOf, newId } from "@comptoir/platform";
import { startService, type StartedService, type TestApi } from "@comptoir/testing";
import { expect } from "vitest";
import { buildApp } from "../src/app";
import { insertUser } from "../src/db/users.repo";
import { hashPassword } from "../src/domain/passwords";
import { DEFAULT_SETTINGS, type IdentitySettings } from "../src/model/settings";

export { expectProblem } from "@comptoir/testing";
export type Api = TestApi;

/** Identity signs and verifies its own tokens: the test issuer's (`as`, `admin`) are not for it. */
export interface Identity extends StartedService {
  /** No token: tests log in (login, userWithRole) and send the tokens identity issued. */
  api: Api;
  baseUrl: string;
  settings: IdentitySettings;
}

/** Identity (startService) with these settings over the defaults; its event bus is never started. */
export async function startIdentity(prefix: string, settings: Partial<IdentitySettings> = {}): Promise<Identity> {
  const merged = { ...DEFAULT_SETTINGS, ...settings };
  const identity = await startService({
    service: "identity",
    name: prefix,
    migrationsDir: migrationsDirOf(import.meta.url),
    build: ({ db, bus, logger, instance }) => buildApp({ db, bus, logger, instance, settings: merged }),
  });
  return Object.assign(identity, { api: identity.anonymous, baseUrl: identity.base, settings: merged });
}

/**
 * Headers as the gateway sends them to identity for `method path`: the client's address, if given,
 * and the gateway's proof over them (its credential, derived from this identity's INTERNAL_SECRET).
 */
export function fromGateway(
  identity: Identity,
  method: string,
  path: string,
  clientIp?: string,
): Record<string, string> {
  const credential = deriveServiceCredential(identity.settings.internalSecret, "gateway");
  return {
    ...(clientIp === undefined ? {} : { [IDENTITY_HEADERS.clientIp]: clientIp }),
    ...gatewayProofHeaders(credential, { method, path, clientIp }),
  };
}

export const PASSWORD = "correct horse battery";

let counter = 0;
/** A unique e-mail for a test. */
export const email = (who = "user") => `${who}.${Date.now().toString(36)}.${++counter}@example.com`;

/** Creates a user straight in the database (any role) and returns its id and e-mail. */
export async function createUser(
  identity: Identity,
  options: { role?: Role; email?: string; password?: string; storeId?: string | null; name?: string } = {},
): Promise<{ id: string; email: string; password: string }> {
  const password = options.password ?? PASSWORD;
  const user = await insertUser(identity.db, {
    id: newId(),
    email: (options.email ?? email(options.role ?? "customer")).toLowerCase(),
    name: options.name ?? `Test ${options.role ?? "customer"}`,
    passwordHash: await hashPassword(password),
    role: options.role ?? "customer",
    storeId: options.storeId ?? null,
    language: "fr",
  });
  return { id: user.id, email: user.email, password };
}

export interface LoggedIn {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
  /** Headers carrying the access token. */
  auth: Record<string, string>;
}

export async function login(identity: Identity, emailAddress: string, password = PASSWORD): Promise<LoggedIn> {
  const res = await identity.api.post("/api/identity/login", { email: emailAddress, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    id: res.body.user.id,
    email: res.body.user.email,
    token: res.body.token,
    refreshToken: res.body.refreshToken,
    auth: { authorization: `Bearer ${res.body.token}` },
  };
}

/** A user of this role, logged in. */
export async function userWithRole(identity: Identity, role: Role, storeId: string | null = null): Promise<LoggedIn> {
  const user = await createUser(identity, { role, storeId });
  return login(identity, user.email);
}

export interface OutboxRow {
  type: string;
  subject: string;
  data: Record<string, any>;
}

export async function outbox(identity: Identity): Promise<OutboxRow[]> {
  const { rows } = await identity.db.query<OutboxRow>(
    "SELECT type, subject, envelope->'data' AS data FROM outbox ORDER BY position",
  );
  return rows;
}
