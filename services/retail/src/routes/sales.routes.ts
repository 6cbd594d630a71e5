import type { App } from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import type { RetailContext } from "../domain/context";
import type { CardVault } from "../domain/sale.saga";

/** Placeholder: replaced by its owner (issue 18). */
export function salesRoutes(_app: App, _ctx: RetailContext, _extra: { sagas: SagaRunner; cards: CardVault }): void {}
