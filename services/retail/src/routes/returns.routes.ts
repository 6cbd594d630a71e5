import type { App } from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import type { RetailContext } from "../domain/context";

/** Placeholder: replaced by its owner (issue 18). */
export function returnsRoutes(_app: App, _ctx: RetailContext, _extra: { sagas: SagaRunner }): void {}
