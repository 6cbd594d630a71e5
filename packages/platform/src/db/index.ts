// `@comptoir/platform/db`: the database layer whole, for the packages built on the kernel (events,
// sagas) and the launcher; services use the few names the main entry point exports.
export * from "./backoff";
export * from "./migrate";
export * from "./paging";
export * from "./pool";
export * from "./session";
export * from "./tx";
