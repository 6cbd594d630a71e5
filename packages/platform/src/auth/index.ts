export * from "./auth.plugin";
export * from "./token-verifier";
export * from "./token-cache";
export * from "./service-tokens";
