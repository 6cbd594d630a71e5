/*
 * A tsquery as PostgreSQL prints it, read back as lexemes: the index (engine/product-index.ts) matches
 * lexemes PostgreSQL computed, so the stemming rules stay PostgreSQL's.
 */

/**
 * The alternatives of a printed tsquery made only of lexemes, `&` and `|` (what plainto_tsquery and
 * search_word_query produce): `'a' & 'b' | 'c'` → `[["a", "b"], ["c"]]` (any alternative, all of its
 * lexemes). Parentheses, weights and prefix marks are ignored; quotes inside a lexeme are doubled.
 */
export function tsqueryAlternatives(text: string): string[][] {
  const alternatives: string[][] = [];
  let current: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      let lexeme = "";
      for (i++; i < text.length; i++) {
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            lexeme += "'";
            i++;
          } else break;
        } else lexeme += text[i];
      }
      if (!current.includes(lexeme)) current.push(lexeme);
    } else if (c === "|") {
      if (current.length > 0) alternatives.push(current);
      current = [];
    }
  }
  if (current.length > 0) alternatives.push(current);
  // The same alternative twice (French and English often stem alike) is one.
  const seen = new Set<string>();
  return alternatives.filter((a) => {
    const key = [...a].sort().join("\u0000");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
