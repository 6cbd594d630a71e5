export * from "./services";
export * from "./events";
