import { describe, expect, it } from "vitest";
import { tsqueryAlternatives } from "./tsquery";

describe("tsqueryAlternatives", () => {
  it("reads one lexeme per language, the same ones once", () => {
    expect(tsqueryAlternatives("'chaussur' | 'chaussur' | 'chaussures'")).toEqual([["chaussur"], ["chaussures"]]);
  });

  it("reads a word PostgreSQL split as lexemes all needed", () => {
    expect(tsqueryAlternatives("'t-shirt' & 't' & 'shirt' | 'tshirt'")).toEqual([
      ["t-shirt", "t", "shirt"],
      ["tshirt"],
    ]);
  });

  it("reads doubled quotes inside a lexeme and ignores parentheses and weights", () => {
    expect(tsqueryAlternatives("( 'l''eau' & 'b':A ) | 'c':*")).toEqual([["l'eau", "b"], ["c"]]);
  });

  it("reads nothing from an empty query", () => {
    expect(tsqueryAlternatives("")).toEqual([]);
  });
});
