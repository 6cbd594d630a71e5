import { DEFAULT_INTERNAL_SECRET } from "@comptoir/contracts";

/** The development default of KEYS_SECRET; production mode refuses to start with it. */
export const DEFAULT_KEYS_SECRET = "comptoir-development-secret";

/** What the identity use cases read from the configuration (tests pass small windows). */
export interface IdentitySettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** Encrypts the private signing keys at rest. */
  keysSecret: string;
  /** What a service proves to obtain a service token. */
  internalSecret: string;
  serviceTokenTtlSeconds: number;
  /** Rotate the active signing key at start when it is older than this (0: never). */
  signingKeyRotationDays: number;
  loginThrottle: LoginThrottleSettings;
}

export interface LoginThrottleSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export const DEFAULT_SETTINGS: IdentitySettings = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlDays: 30,
  keysSecret: DEFAULT_KEYS_SECRET,
  internalSecret: DEFAULT_INTERNAL_SECRET,
  serviceTokenTtlSeconds: 300,
  signingKeyRotationDays: 30,
  loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerIp: 20, windowSeconds: 900 },
};

export function settingsFromConfig(config: {
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_DAYS: number;
  KEYS_SECRET: string;
  INTERNAL_SECRET: string;
  SERVICE_TOKEN_TTL_SECONDS: number;
  SIGNING_KEY_ROTATION_DAYS: number;
  LOGIN_MAX_FAILURES_PER_ACCOUNT: number;
  LOGIN_MAX_FAILURES_PER_IP: number;
  LOGIN_FAILURE_WINDOW_SECONDS: number;
}): IdentitySettings {
  return {
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    keysSecret: config.KEYS_SECRET,
    internalSecret: config.INTERNAL_SECRET,
    serviceTokenTtlSeconds: config.SERVICE_TOKEN_TTL_SECONDS,
    signingKeyRotationDays: config.SIGNING_KEY_ROTATION_DAYS,
    loginThrottle: {
      maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    },
  };
}
