import { AsyncLocalStorage } from "node:async_hooks";

/** What follows a unit of work (an HTTP request, later an event) through async calls and logs. */
export interface RequestContext {
  requestId: string;
  traceId: string;
  spanId: string;
  traceFlags: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** Binds the context to the rest of the current async flow (used from a Fastify onRequest hook). */
export function enterContext(context: RequestContext): void {
  storage.enterWith(context);
}
