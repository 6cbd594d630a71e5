export * from "./services";
export * from "./events";
export * from "./auth";
export * from "./money";
export * from "./vat";
export * from "./demo";
