import { describe, expect, it } from "vitest";
import {
  AuthEnv,
  BaseServiceEnv,
  ConfigError,
  DatabaseEnv,
  deriveServiceCredential,
  developmentServiceCredential,
  Env,
  identityUrlOf,
  loadConfig,
  serviceAuthEnv,
  Type,
} from "../src";

const schema = Type.Object({ ...BaseServiceEnv, ...DatabaseEnv, PORT: Env.port(3002) });

describe("loadConfig", () => {
  it("converts strings to the schema's types and applies defaults", () => {
    const config = loadConfig(schema, {
      DATABASE_URL: "postgres://localhost/x",
      PORT: "4000",
      DATABASE_POOL_SIZE: "3",
    });
    expect(config).toMatchObject({
      PORT: 4000,
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      DATABASE_URL: "postgres://localhost/x",
      DATABASE_POOL_SIZE: 3,
    });
  });

  it("fails with one line naming the variable, what it expects and what it got", () => {
    expect(() => loadConfig(schema, { DATABASE_URL: "postgres://localhost/x", PORT: "abc" })).toThrow(
      new ConfigError('PORT must be a port number (1-65535), got "abc"'),
    );
    expect(() => loadConfig(schema, { DATABASE_URL: "postgres://localhost/x", PORT: "70000" })).toThrow(
      /^PORT must be/,
    );
    expect(() => loadConfig(schema, { DATABASE_URL: "postgres://localhost/x", LOG_LEVEL: "loud" })).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
  });

  it("names a missing required variable, and every wrong variable once, in schema order", () => {
    let message = "";
    try {
      loadConfig(schema, { PORT: "x" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'PORT must be a port number (1-65535), got "x"; DATABASE_URL must be a PostgreSQL connection URL (postgres://user:password@host:port/database) (not set)',
    );
    expect(message).not.toContain("\n");
  });

  it("treats an empty variable as not set", () => {
    expect(loadConfig(schema, { DATABASE_URL: "postgres://h/d", PORT: "" }).PORT).toBe(3002);
  });
});

describe("service auth configuration", () => {
  const schema = Type.Object({ ...BaseServiceEnv, ...AuthEnv, ...serviceAuthEnv("cart") });

  it("defaults SERVICE_CREDENTIAL to the account's development credential, and finds identity at JWKS_URL's origin", () => {
    const config = loadConfig(schema, { JWKS_URL: "http://identity:3001/api/identity/.well-known/jwks.json" });
    expect(config.SERVICE_CREDENTIAL).toBe(developmentServiceCredential("cart"));
    expect(config).not.toHaveProperty("INTERNAL_SECRET");
    expect(identityUrlOf(config)).toBe("http://identity:3001");
  });

  it("prefers IDENTITY_URL, and wants it http(s)", () => {
    const config = loadConfig(schema, { IDENTITY_URL: "http://10.0.0.7:3001" });
    expect(identityUrlOf(config)).toBe("http://10.0.0.7:3001");
    expect(() => loadConfig(schema, { IDENTITY_URL: "identity:3001" })).toThrow(
      /IDENTITY_URL must be identity's base URL for service tokens/,
    );
  });

  it("in production, refuses to start without SERVICE_CREDENTIAL or with the development one, in one line", () => {
    const refusal = new ConfigError(
      "SERVICE_CREDENTIAL must be set in production to cart's own credential for service tokens, derived from " +
        "identity's INTERNAL_SECRET (comptoir secrets credential cart), not the development default",
    );
    expect(() => loadConfig(schema, { NODE_ENV: "production" })).toThrow(refusal);
    expect(() =>
      loadConfig(schema, { NODE_ENV: "production", SERVICE_CREDENTIAL: developmentServiceCredential("cart") }),
    ).toThrow(refusal);
    expect(() => loadConfig(schema, { NODE_ENV: "production", SERVICE_CREDENTIAL: "" })).toThrow(refusal);

    const own = deriveServiceCredential("a-random-internal-secret-of-production", "cart");
    expect(loadConfig(schema, { NODE_ENV: "production", SERVICE_CREDENTIAL: own }).SERVICE_CREDENTIAL).toBe(own);
    // Outside production the development credential is fine (a service started alone, tests).
    expect(loadConfig(schema, { NODE_ENV: "test" }).SERVICE_CREDENTIAL).toBe(developmentServiceCredential("cart"));
  });
});
