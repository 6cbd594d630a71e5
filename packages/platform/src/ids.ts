import { v7 } from "uuid";

/** A time-ordered UUID (v7), generated here so the same code runs on PostgreSQL 15 and 18. */
export function newId(): string {
  return v7();
}
