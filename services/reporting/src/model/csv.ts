/**
 * CSV as RFC 4180 writes it: CRLF after every record, a field holding the separator, a quote, a CR or
 * an LF quoted, quotes doubled. UTF-8 with a byte order mark, so that Excel reads accents right. With
 * `;` as separator (the French Excel's), decimals are written with a comma. Amounts are cents, written
 * in euros with two decimals. Pure.
 */

export type Separator = "," | ";";

export type CsvValue = string | number | null;

/** How a column's values are written: text as is, integers, cents as euros, decimals (a rate). */
export type CsvKind = "text" | "integer" | "amount" | "decimal";

export interface CsvColumn<R> {
  header: string;
  /** The column's kind, or each row's (a table of figures of different kinds). */
  kind: CsvKind | ((row: R) => CsvKind);
  value: (row: R) => CsvValue;
}

export const BOM = "\uFEFF";
const CRLF = "\r\n";

/** `?sep=;` or `?sep=semicolon` → `;`; anything else (absent, `,`, `comma`) → `,`. */
export function separatorOf(sep: string | undefined): Separator {
  return sep === ";" || sep === "semicolon" ? ";" : ",";
}

/** Cents as euros with two decimals: 1234 → "12.34", -5 → "-0.05"; "," as decimal mark with `;`. */
export function formatCents(cents: number, separator: Separator = ","): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const text = `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
  return separator === ";" ? text.replace(".", ",") : text;
}

export function formatDecimal(value: number, separator: Separator = ","): string {
  const text = String(value);
  return separator === ";" ? text.replace(".", ",") : text;
}

/** One field, quoted when it holds the separator, a quote, CR or LF (quotes doubled). */
export function escapeField(field: string, separator: Separator): string {
  return field.includes(separator) || /["\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

export function formatValue(value: CsvValue, kind: CsvKind, separator: Separator): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  switch (kind) {
    case "amount":
      return formatCents(value, separator);
    case "decimal":
      return formatDecimal(value, separator);
    default:
      return String(value);
  }
}

/** The header record, then one record per row; BOM first, CRLF after each record. */
export function toCsv<R>(columns: readonly CsvColumn<R>[], rows: readonly R[], separator: Separator = ","): string {
  const record = (fields: readonly string[]) => fields.map((f) => escapeField(f, separator)).join(separator) + CRLF;
  let out = BOM + record(columns.map((c) => c.header));
  for (const row of rows)
    out += record(
      columns.map((c) => formatValue(c.value(row), typeof c.kind === "function" ? c.kind(row) : c.kind, separator)),
    );
  return out;
}
