import type { SagaDefinition } from "@comptoir/sagas";
import type { Card } from "../clients/payments.client";
import type { RetailContext } from "./context";

/** The cards of sales under way, in this process's memory only (never written to retail's database). */
export type CardVault = Map<string, Card[]>;

/** Placeholder: replaced by its owner (issue 18). */
// biome-ignore lint/suspicious/noExplicitAny: placeholder
export function saleSagas(_ctx: RetailContext): { definitions: SagaDefinition<any>[]; cards: CardVault } {
  return { definitions: [], cards: new Map() };
}
