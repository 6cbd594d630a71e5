import { DEFAULT_INTERNAL_SECRET, DEFAULT_PORTS } from "@comptoir/contracts";
import { BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";
import { DEFAULT_KEYS_SECRET } from "./model/settings";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.identity),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 30,
    maximum: 86_400,
    default: 900,
    description: "the access-token lifetime in seconds (30-86400)",
  }),
  REFRESH_TOKEN_TTL_DAYS: Type.Integer({
    minimum: 1,
    maximum: 365,
    default: 30,
    description: "the refresh-token lifetime in days (1-365)",
  }),
  KEYS_SECRET: Type.String({
    minLength: 1,
    default: DEFAULT_KEYS_SECRET,
    description: "a secret that encrypts the token-signing keys at rest (at least 32 characters in production)",
  }),
  INTERNAL_SECRET: Type.String({
    minLength: 1,
    default: DEFAULT_INTERNAL_SECRET,
    description:
      "the master secret each service's SERVICE_CREDENTIAL is derived from, known to identity alone (at least 32 characters in production)",
  }),
  SERVICE_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 3600,
    default: 300,
    description: "the service-token lifetime in seconds (60-3600)",
  }),
  COMPTOIR_DEMO: Type.Boolean({
    default: false,
    description: "true or false (1 or 0): seed the demo accounts and API keys",
  }),
  DEMO_API_KEYS_FILE: Type.Optional(
    Type.String({ minLength: 1, description: "a file path where the demo API keys are written once" }),
  ),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: Env.positiveInt(5),
  LOGIN_MAX_FAILURES_PER_IP: Env.positiveInt(50),
  LOGIN_FAILURE_WINDOW_SECONDS: Type.Integer({
    minimum: 1,
    default: 900,
    description: "the window in seconds over which failed logins are counted",
  }),
  SIGNING_KEY_ROTATION_DAYS: Type.Integer({
    minimum: 0,
    default: 30,
    description: "rotate the signing key at start when it is older than this many days (0: never)",
  }),
});
