import { DEFAULT_INTERNAL_SECRET, DEFAULT_KEYS_SECRET } from "@comptoir/contracts";

/** The development default of KEYS_SECRET (in the contracts: the launcher knows it too); production refuses it. */
export { DEFAULT_KEYS_SECRET };

/** What the identity use cases read from the configuration (tests pass small windows). */
export interface IdentitySettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** Encrypts the private signing keys at rest. */
  keysSecret: string;
  /** The master of the service credentials: a service proves deriveServiceCredential(internalSecret, itself). */
  internalSecret: string;
  serviceTokenTtlSeconds: number;
  /** Rotate the active signing key at start when it is older than this (0: never). */
  signingKeyRotationDays: number;
  loginThrottle: LoginThrottleSettings;
}

/**
 * Failed password attempts allowed within the window, per account (logins and PATCH /me together)
 * and per client address (logins). The address limit is much higher: a store's clerks share one.
 */
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
  loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerIp: 50, windowSeconds: 900 },
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
