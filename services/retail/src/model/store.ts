import { retailHttp } from "@comptoir/contracts/http";
import { type FieldError, InvalidError } from "@comptoir/platform";

// The store's schemas are retail's public contract (packages/contracts: retailHttp); the rules are here.
export const WEEKDAYS = retailHttp.WEEKDAYS;
export type Weekday = retailHttp.Weekday;
export type OpeningInterval = retailHttp.OpeningInterval;
export type OpeningHours = retailHttp.OpeningHours;
export type Address = retailHttp.Address;
/** A store, with the inventory location it sells from. */
export type Store = retailHttp.Store;
/** A cash register (a till) of a store. */
export type Register = retailHttp.Register;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name.includes("/") || name === "UTC";
  } catch {
    return false;
  }
}

/** What the schema cannot say of a store: an IANA time zone, intervals that close after they open and do not overlap. */
export function assertValidStoreFields(fields: { timezone?: string; openingHours?: OpeningHours }): void {
  const errors: FieldError[] = [];
  if (fields.timezone !== undefined && !isTimeZone(fields.timezone)) {
    errors.push({ in: "body", field: "timezone", message: "is not an IANA time zone (e.g. Europe/Paris)" });
  }
  for (const day of WEEKDAYS) {
    const intervals = fields.openingHours?.[day] ?? [];
    const sorted = [...intervals].sort((a, b) => a.open.localeCompare(b.open));
    sorted.forEach((interval, i) => {
      if (interval.close <= interval.open) {
        errors.push({ in: "body", field: `openingHours.${day}`, message: "closes before it opens" });
      } else if (i > 0 && interval.open < sorted[i - 1]!.close) {
        errors.push({ in: "body", field: `openingHours.${day}`, message: "has overlapping intervals" });
      }
    });
  }
  if (errors.length > 0) {
    throw new InvalidError("invalid_store", errors.map((e) => `${e.field} ${e.message}`).join("; "), { errors });
  }
}
