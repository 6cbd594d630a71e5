// The kernel's test helpers (`@comptoir/testing`): each file imports its neighbours directly,
// never this barrel, so there is no import circle.
export * from "./contracts";
export * from "./database";
export * from "./door";
export * from "./events";
export * from "./expectations";
export * from "./http";
export * from "./metrics";
export * from "./otlp-receiver";
export * from "./process-script";
export * from "./service-testbed";
export * from "./start-service";
export * from "./test-issuer";
