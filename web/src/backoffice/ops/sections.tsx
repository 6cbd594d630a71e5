import type { BackofficeSection } from "../section";

/** The operations sections of the back office: online orders, stores and registers, users and keys, mailbox, system. */
export const opsSections: BackofficeSection[] = [];
