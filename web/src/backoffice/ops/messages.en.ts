import type { opsFr } from "./messages.fr";

/** The ops part's strings in English: the same keys as messages.fr.ts. */
export const opsEn: Record<keyof typeof opsFr, string> = {};
