/*
 * What a shopper types, made into words the engine can look up: pure functions, no SQL. `q` is always
 * text: only letters and digits survive, so no punctuation can ever reach a query language as syntax.
 */

/** The most words of `q` a search uses (the rest is ignored). */
export const MAX_QUERY_WORDS = 10;
/** The longest word kept (longer runs are cut). */
export const MAX_WORD_LENGTH = 40;

const LIGATURES: Record<string, string> = { œ: "oe", æ: "ae", ß: "ss", ø: "o", đ: "d", ł: "l" };

/** Lower case, without accents or ligatures: "Écran" → "ecran", "Cœur" → "coeur". */
export function normalizeWord(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/[œæßøđł]/g, (c) => LIGATURES[c]!);
}

/**
 * The words of `q`, normalized, in order, each once: runs of letters and digits; everything else
 * (spaces, punctuation, quotes, `%`, `_`, `\`, `&|!():*`) separates them.
 */
export function queryWords(q: string | undefined): string[] {
  if (!q) return [];
  const words: string[] = [];
  for (const match of normalizeWord(q).matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0].slice(0, MAX_WORD_LENGTH);
    if (!words.includes(word)) words.push(word);
    if (words.length === MAX_QUERY_WORDS) break;
  }
  return words;
}

/** A code a till scans or types (a SKU or a barcode): `q` itself, trimmed, when it can be one. */
export function codeOf(q: string | undefined): string | null {
  const code = q?.trim() ?? "";
  return /^[A-Za-z0-9._/-]{1,64}$/.test(code) ? code : null;
}

/** Edits (insertion, deletion, substitution, swap of two neighbours) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The edits a word of this length may carry and still be corrected: none under 4 letters, 1, then 2 from 8. */
export function allowedTypos(word: string): number {
  if (word.length < 4 || /^\p{N}+$/u.test(word)) return 0;
  return word.length < 8 ? 1 : 2;
}

/** Of the known words near `word` (nearest first), those it is a typo of; at most `max`. */
export function corrections(word: string, candidates: readonly string[], max = 3): string[] {
  const allowed = allowedTypos(word);
  if (allowed === 0) return [];
  return candidates
    .filter((c) => c !== word)
    .map((c) => ({ c, d: editDistance(word, c) }))
    .filter(({ d }) => d <= allowed)
    .sort((x, y) => x.d - y.d)
    .slice(0, max)
    .map(({ c }) => c);
}

/** What the engine wraps matched words in (characters no product text holds); `highlight` makes them marks. */
export const MARK_START = "\u0002";
export const MARK_END = "\u0003";

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A fragment with the engine's marks: HTML-escaped, its marks made `<mark>…</mark>`. */
export function highlight(fragment: string): string {
  return fragment
    .replace(/[&<>"']/g, (c) => HTML[c]!)
    .replaceAll(MARK_START, "<mark>")
    .replaceAll(MARK_END, "</mark>");
}

/** The price facet's ranges, minor units: `min` included, `max` excluded, null = no upper bound. */
export const PRICE_RANGES: readonly { min: number; max: number | null }[] = [
  { min: 0, max: 1_000 },
  { min: 1_000, max: 2_500 },
  { min: 2_500, max: 5_000 },
  { min: 5_000, max: 10_000 },
  { min: 10_000, max: 25_000 },
  { min: 25_000, max: 50_000 },
  { min: 50_000, max: 100_000 },
  { min: 100_000, max: null },
];
