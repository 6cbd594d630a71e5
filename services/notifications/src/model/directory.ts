/**
 * What notifications knows of other services' entities, to address and word its mails: read models
 * kept from their events (see events/directory.handlers.ts).
 */

/** A user as identity's events describe them. */
export interface DirectoryUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "manager" | "clerk" | "customer";
  storeId: string | null;
  language: "fr" | "en";
  active: boolean;
}

export interface DirectoryVariant {
  id: string;
  sku: string;
  productName: string;
  options: string;
}

/** A person a mail goes to, as the directory knows them. */
export type Person = Pick<DirectoryUser, "id" | "email" | "name" | "language" | "active">;
