import { describe, expect, it } from "vitest";
import { BOM, escapeField, formatCents, separatorOf, toCsv } from "./csv";

describe("the CSV writer", () => {
  it("writes cents as euros with two decimals, negatives and small amounts included", () => {
    expect(formatCents(1234)).toBe("12.34");
    expect(formatCents(5)).toBe("0.05");
    expect(formatCents(0)).toBe("0.00");
    expect(formatCents(-5)).toBe("-0.05");
    expect(formatCents(-123456)).toBe("-1234.56");
    expect(formatCents(1234, ";")).toBe("12,34");
    expect(formatCents(-1, ";")).toBe("-0,01");
  });

  it("refuses a fraction of a cent", () => {
    expect(() => formatCents(1.5)).toThrow(RangeError);
  });

  it("quotes a field holding the separator, a quote or a line break, doubling quotes", () => {
    expect(escapeField("plain", ",")).toBe("plain");
    expect(escapeField("a,b", ",")).toBe('"a,b"');
    expect(escapeField("a,b", ";")).toBe("a,b");
    expect(escapeField("a;b", ";")).toBe('"a;b"');
    expect(escapeField('say "hi"', ",")).toBe('"say ""hi"""');
    expect(escapeField("two\nlines", ",")).toBe('"two\nlines"');
    expect(escapeField("cr\rhere", ";")).toBe('"cr\rhere"');
  });

  it("starts with a BOM, ends every record with CRLF, writes each column's kind", () => {
    const csv = toCsv(
      [
        {
          header: "name",
          kind: "text",
          value: (r: { name: string; cents: number; n: number | null; rate: number }) => r.name,
        },
        { header: "amount", kind: "amount", value: (r) => r.cents },
        { header: "count", kind: "integer", value: (r) => r.n },
        { header: "rate", kind: "decimal", value: (r) => r.rate },
      ],
      [
        { name: "Crème brûlée, 6", cents: 1999, n: 3, rate: 0.125 },
        { name: 'Le "grand" café', cents: -250, n: null, rate: 0 },
      ],
    );
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv.slice(1)).toBe(
      'name,amount,count,rate\r\n"Crème brûlée, 6",19.99,3,0.125\r\n"Le ""grand"" café",-2.50,,0\r\n',
    );
  });

  it("with a semicolon, separates by ; and writes decimal commas", () => {
    const csv = toCsv(
      [
        { header: "name", kind: "text", value: (r: { name: string; cents: number; rate: number }) => r.name },
        { header: "amount", kind: "amount", value: (r) => r.cents },
        { header: "rate", kind: "decimal", value: (r) => r.rate },
      ],
      [{ name: "a,b;c", cents: 123456, rate: 0.05 }],
      ";",
    );
    expect(csv.slice(1)).toBe('name;amount;rate\r\n"a,b;c";1234,56;0,05\r\n');
  });

  it("reads sep=; and sep=semicolon as a semicolon, anything else as a comma", () => {
    expect(separatorOf(";")).toBe(";");
    expect(separatorOf("semicolon")).toBe(";");
    expect(separatorOf(",")).toBe(",");
    expect(separatorOf("comma")).toBe(",");
    expect(separatorOf(undefined)).toBe(",");
  });
});
