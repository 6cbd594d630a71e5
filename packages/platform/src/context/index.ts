// `@comptoir/platform/context`: the request context and W3C trace context, for the packages that
// carry them across a process boundary (events).
export * from "./request-context";
export * from "./traceparent";
