import type { Outbox } from "@comptoir/events";
import type { Db } from "@comptoir/platform";

/** Placeholder: replaced by its owner (issue 18). */
export async function seedDemoStores(_deps: { db: Db; outbox: Outbox }): Promise<{ created: boolean }> {
  return { created: false };
}
