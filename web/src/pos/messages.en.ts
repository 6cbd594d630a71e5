import type { posFr } from "./messages.fr";

/** The pos part's strings in English: the same keys as messages.fr.ts. */
export const posEn: Record<keyof typeof posFr, string> = {};
