import { InvalidError } from "@comptoir/platform";

/** A postal address of a user (delivery or invoicing). */
export interface Address extends AddressFields {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface AddressFields {
  label: string | null;
  name: string;
  line1: string;
  line2: string | null;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  phone: string | null;
  defaultShipping: boolean;
  defaultBilling: boolean;
}

/** More would be abuse, not a customer's address book. */
export const MAX_ADDRESSES_PER_USER = 20;

const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
/** Codes CLDR names that are not countries (unknown region, unions, pseudo-locales). */
const NOT_COUNTRIES = new Set(["ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"]);

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code (per the runtime's CLDR data). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  try {
    const name = regions.of(code);
    return name !== undefined && name !== code;
  } catch {
    return false;
  }
}

export function assertCountry(country: string | undefined): void {
  if (country === undefined || isCountryCode(country)) return;
  throw new InvalidError("invalid_country", `${country} is not an ISO 3166-1 alpha-2 country code.`, {
    errors: [{ in: "body", field: "country", message: "is not an ISO 3166-1 alpha-2 country code" }],
  });
}
