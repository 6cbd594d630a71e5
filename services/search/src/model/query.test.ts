import { describe, expect, it } from "vitest";
import { codeOf, corrections, editDistance, highlight, MARK_END, MARK_START, normalizeWord, queryWords } from "./query";

describe("query words", () => {
  it("are lower case, without accents or ligatures", () => {
    expect(normalizeWord("ÉCRAN Cœur Straße")).toBe("ecran coeur strasse");
    expect(queryWords("Téléviseur OLED")).toEqual(["televiseur", "oled"]);
  });

  it("are runs of letters and digits: every other character separates them", () => {
    expect(queryWords(`robe & !soie | (t-shirt):* 'bio' "x" %_\\ 15`)).toEqual([
      "robe",
      "soie",
      "t",
      "shirt",
      "bio",
      "x",
      "15",
    ]);
    expect(queryWords("&|!():*%_\\'\"")).toEqual([]);
    expect(queryWords(undefined)).toEqual([]);
  });

  it("keep each word once, at most ten, each at most 40 letters", () => {
    expect(queryWords("robe Robe RÔBE")).toEqual(["robe"]);
    expect(queryWords(Array.from({ length: 15 }, (_, i) => `w${i}`).join(" "))).toHaveLength(10);
    expect(queryWords("a".repeat(60))).toEqual(["a".repeat(40)]);
  });
});

describe("a code", () => {
  it("is q trimmed when it can be a SKU or barcode, else null", () => {
    expect(codeOf(" NIKE-PEG-42 ")).toBe("NIKE-PEG-42");
    expect(codeOf("3401234567890")).toBe("3401234567890");
    expect(codeOf("robe soie")).toBeNull();
    expect(codeOf("a%b")).toBeNull();
    expect(codeOf("")).toBeNull();
    expect(codeOf("x".repeat(65))).toBeNull();
  });
});

describe("typo corrections", () => {
  it("count a swap of two neighbours as one edit", () => {
    expect(editDistance("iphnoe", "iphone")).toBe(1);
    expect(editDistance("chausure", "chaussure")).toBe(1);
    expect(editDistance("televison", "television")).toBe(1);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("allow one edit from 4 letters, two from 8, none under 4 or in a number", () => {
    const near = ["chaussure", "chaussures", "chaussette", "iphone", "robe", "rose"];
    expect(corrections("chausure", near)).toEqual(["chaussure", "chaussures"]);
    expect(corrections("iphnoe", near)).toEqual(["iphone"]);
    expect(corrections("rofe", near)).toEqual(["robe", "rose"]);
    expect(corrections("rbe", near)).toEqual([]);
    expect(corrections("12345", ["12346"])).toEqual([]);
  });

  it("keep at most three, the nearest first, and never the word itself", () => {
    expect(corrections("abcd", ["abcd", "abce", "abcf", "abcg", "abch"], 3)).toEqual(["abce", "abcf", "abcg"]);
    expect(corrections("chaussre", ["chaussures", "chaussure"])).toEqual(["chaussure", "chaussures"]);
  });
});

describe("a highlight", () => {
  it("escapes the text as HTML and turns the engine's marks into <mark>", () => {
    expect(highlight(`<b>"${MARK_START}Robe${MARK_END}" & 'soie'</b>`)).toBe(
      "&lt;b&gt;&quot;<mark>Robe</mark>&quot; &amp; &#39;soie&#39;&lt;/b&gt;",
    );
  });
});
