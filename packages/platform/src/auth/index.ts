export * from "./auth.plugin";
export * from "./token-verifier";
