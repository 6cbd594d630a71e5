import type { App } from "@comptoir/platform";
import type { RetailContext } from "../domain/context";

/** Placeholder: replaced by its owner (issue 18). */
export function storesRoutes(_app: App, _ctx: RetailContext): void {}
