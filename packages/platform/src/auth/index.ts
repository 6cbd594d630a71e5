export * from "./auth.plugin";
export * from "./token-verifier";
export * from "./token-cache";
export * from "./revocations";
export * from "./service-credentials";
export * from "./gateway-proof";
export * from "./service-tokens";
