/**
 * An order's number as people read it: the last 8 hex digits of its id, in capitals — the same as
 * the mails say (services/notifications/src/templates/format.ts). Not the first 8: ids are UUIDv7,
 * whose first digits are a timestamp shared by the orders placed around the same time.
 */
export const orderNumber = (id: string): string => id.replaceAll("-", "").slice(-8).toUpperCase();
