// What services use from the kernel. The rest is internal, or behind a subpath: ./db and ./context
// (for @comptoir/events and @comptoir/sagas), ./budget (the launcher), ./testing.
export { type Static, Type } from "typebox";
export {
  bearerAuth,
  gatewayProofAuth,
  noAuth,
  optionalBearerAuth,
  principalOf,
  requirePermission,
  requireUser,
} from "./auth/auth.plugin";
export { gatewayProofHeaders, verifyGatewayProof } from "./auth/gateway-proof";
export type { Principal, TokenVerifier } from "./auth/principal";
export { createRevocations, identityRevocationsFetcher, revocationCheckingVerifier } from "./auth/revocations";
export { deriveServiceCredential, developmentServiceCredential } from "./auth/service-credentials";
export { createServiceTokens, type ServiceTokens } from "./auth/service-tokens";
export { createTokenVerifier } from "./auth/token-verifier";
export * from "./client/endpoint-client";
export * from "./client/service-client";
export { type Probe, type ProbeResult, probeConnection } from "./client/probe";
export {
  AuthEnv,
  BaseServiceEnv,
  ConfigError,
  DatabaseEnv,
  Env,
  EventsEnv,
  identityUrlOf,
  loadConfig,
  serviceAuthEnv,
  serviceCredentialEnv,
} from "./config/config";
export { currentContext } from "./context/request-context";
export { formatTraceparent } from "./context/traceparent";
export { createPool, type Db, pingDatabase, type Queryable, type Tx } from "./db/pool";
export {
  type PageRequest,
  type PageWindow,
  type Paginated,
  pageOf,
  paginated,
  selectPage,
  type Sql,
} from "./db/paging";
export { afterCommit, PgCode, pgConstraint, pgErrorCode, withTx } from "./db/tx";
export {
  AppError,
  ConflictError,
  type FieldError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  problemError,
  UnauthorizedError,
  UnavailableError,
} from "./errors/app-error";
export { type App, createApp } from "./http/app";
export { degradesOnly, type ReadinessCheck } from "./http/health";
export { problemTypeUri, sendProblem } from "./http/problem";
export { DateTime, Id, Nullable, Page, Pagination, pageQuery, problemResponses } from "./http/schemas";
export { newId } from "./ids";
export { createLogger, type Logger } from "./logging/logger";
export { memoizeAsync } from "./memoize";
export { migrationsDirOf, runService } from "./runtime/run-service";
export type { ServicePart } from "./runtime/service-part";
export { startDeadline } from "./time/deadline";
export { dayNumber, dayPeriodProblem, isTimeZone } from "./time/day-period";
export { startPeriodic } from "./time/periodic";
export * from "./idempotency";
export { inSpan, isTracing, type SpanHandle, startSpan } from "./tracing/spans";
