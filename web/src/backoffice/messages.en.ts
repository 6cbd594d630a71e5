import type { backofficeFr } from "./messages.fr";

/** The backoffice part's strings in English: the same keys as messages.fr.ts. */
export const backofficeEn: Record<keyof typeof backofficeFr, string> = {};
