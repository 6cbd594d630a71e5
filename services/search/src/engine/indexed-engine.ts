import type { Db, Logger } from "@comptoir/platform";
import { nearestWords, readCategories, readChanges, tokenLexemes, wordQueries } from "../db/products.repo";
import { categoryTree } from "../model/facets";
import {
  allowedTypos,
  corrections,
  editDistance,
  highlight,
  MARK_END,
  MARK_START,
  normalizeWord,
  PRICE_RANGES,
} from "../model/query";
import { tsqueryAlternatives } from "../model/tsquery";
import { type IndexHit, type IndexQuery, type IndexResult, ProductIndex, type WordLexemes } from "./product-index";
import type { SearchEngine, SearchHit, SearchQuery, SearchResult, Suggestion } from "./search-engine";

/*
 * The search engine: PostgreSQL keeps the read model and does the language work (French and English
 * stemming, unaccent, the weighted tsvector, pg_trgm's nearest words for typos); each instance keeps
 * the products in memory (product-index.ts), fed by the change feed (migration 004), and answers from
 * there. Before answering, an instance reads the feed for the rows written by transactions it could
 * not know ended at its last read (one indexed query, shared by the requests that arrive meanwhile):
 * an answer reflects every change committed before the request arrived, on every instance.
 */

/** Feed rows read per query while catching up. */
const FEED_BATCH = 2_000;
/** Categories are read again with any product change, and at least this often. */
const CATEGORIES_EVERY_MS = 5_000;
/** Known words fetched per unknown query word, nearest first, to pick its corrections from. */
const NEAREST_WORDS = 12;
/** How long the nearest known words of a typed word are reused (new words only add candidates). */
const NEAREST_TTL_MS = 10_000;
/** A description up to this long is shown whole, marked; a longer one as up to two marked fragments. */
const WHOLE_DESCRIPTION = 200;
/** Words of a description fragment. */
const FRAGMENT_WORDS = 20;
/** Answers kept (each reused until a change can affect it: ProductIndex.affects, refresh). */
const ANSWERS = 2_000;
/** The most entries of each lexeme cache (cleared when full). */
const CACHE_ENTRIES = 200_000;

/** A map that forgets everything once full: bounded memory for lookups that are cheap to redo. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}

/** A kept answer: the index and version it reflects, and what the index answered. */
interface Kept {
  index: ProductIndex;
  version: number;
  words: number;
  raw: { query: IndexQuery; result: IndexResult } | null;
  result: Promise<SearchResult>;
}

export interface IndexedEngine extends SearchEngine {
  /** Reads the feed up to now (a search does it first); resolves when the index holds every change committed before the call. */
  sync(): Promise<void>;
  /** The index answering now. */
  readonly index: ProductIndex;
  /** Whether the index has been loaded once (the instance is ready to answer). */
  readonly loaded: boolean;
}

export function createIndexedEngine(db: Db, options: { logger?: Logger } = {}): IndexedEngine {
  /** The index answering now; a rebuild's is built aside and put in its place once loaded. */
  let index = new ProductIndex();
  let epoch: string | null = null;
  let watermark = "0";
  let categoriesAt = 0;
  const wordCache = new BoundedMap<string, WordLexemes | null>(CACHE_ENTRIES);
  const tokenCache = new BoundedMap<string, string[]>(CACHE_ENTRIES);
  const nearestCache = new BoundedMap<string, { at: number; near: string[] }>(CACHE_ENTRIES);
  /**
   * Answers kept, by search: reused while no change since `version` affects them (ProductIndex.affects:
   * a price change in another category does not make a category's answers stale), and while no new
   * word could change a typo's corrections; or brought up to date after a change in place
   * (ProductIndex.refresh). `raw` (the index's query and result) is set once computed.
   */
  const answers = new BoundedMap<string, Kept>(ANSWERS);
  let suggestions = new Map<string, Promise<Suggestion[]>>();
  let suggestionsOf: [ProductIndex, number] | null = null;

  /**
   * Reads the feed into `target` from the watermark `since`; the next watermark, or null if the table
   * was replaced meanwhile (its epoch changed).
   */
  async function catchUp(target: ProductIndex, from: { epoch: string; since: string }): Promise<string | null> {
    let page = await readChanges(db, from.since, FEED_BATCH);
    const next = page.next;
    for (;;) {
      if (page.epoch !== from.epoch) return null;
      for (const product of page.changes) target.apply(product);
      if (page.changes.length < FEED_BATCH) return next;
      const last = page.changes[page.changes.length - 1]!;
      page = await readChanges(db, from.since, FEED_BATCH, { xid: last.change_xid, id: last.id });
    }
  }

  async function syncOnce(): Promise<void> {
    for (;;) {
      if (epoch !== null) {
        const before = index.version;
        const next = await catchUp(index, { epoch, since: watermark });
        if (next !== null) {
          watermark = next;
          if (index.version !== before || Date.now() - categoriesAt > CATEGORIES_EVERY_MS) {
            index.setCategories(await readCategories(db));
            categoriesAt = Date.now();
          }
          return;
        }
      }
      // First load, or the table was replaced (a rebuild's swap) or emptied (a replay from the first
      // event): a new index from the start, built aside while the current one keeps answering.
      const { epoch: now } = await readChanges(db, "0", 0);
      if (epoch !== null) options.logger?.info({ epoch: now }, "search index: the read model was replaced, reloading");
      const fresh = new ProductIndex();
      const next = await catchUp(fresh, { epoch: now, since: "0" });
      if (next === null) continue;
      fresh.setCategories(await readCategories(db));
      index = fresh;
      epoch = now;
      watermark = next;
      categoriesAt = Date.now();
      return;
    }
  }

  // One feed read at a time; a caller arriving while one runs waits for the next, which starts after it.
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  function sync(): Promise<void> {
    if (!running) {
      running = syncOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return sync();
      });
    return queued;
  }

  /** Each word's lexemes (null: a stop word), from PostgreSQL once per word. */
  async function lexemesOf(words: readonly string[]): Promise<Map<string, WordLexemes | null>> {
    const missing = [...new Set(words.filter((w) => !wordCache.has(w)))];
    if (missing.length > 0) {
      for (const [word, query] of await wordQueries(db, missing))
        wordCache.set(word, query === null ? null : tsqueryAlternatives(query));
    }
    return new Map(words.map((w) => [w, wordCache.get(w) ?? null]));
  }

  /**
   * The known words nearest each word (trigram distance), reused a few seconds while no product brings
   * a word the index did not have (the word a typo meant may have just arrived).
   */
  let nearestOf: [ProductIndex, number] | null = null;
  async function nearest(idx: ProductIndex, words: readonly string[]): Promise<Map<string, string[]>> {
    if (nearestOf?.[0] !== idx || nearestOf[1] !== idx.wordsVersion) {
      nearestCache.clear();
      nearestOf = [idx, idx.wordsVersion];
    }
    const now = Date.now();
    const missing = words.filter((w) => {
      const hit = nearestCache.get(w);
      return !hit || now - hit.at > NEAREST_TTL_MS;
    });
    if (missing.length > 0) {
      for (const [word, near] of await nearestWords(db, missing, NEAREST_WORDS))
        nearestCache.set(word, { at: now, near });
    }
    return new Map(words.map((w) => [w, nearestCache.get(w)?.near ?? []]));
  }

  /** The query's groups: each word as typed (unless a stop word) and, when no product has it, its corrections. */
  async function groupsOf(idx: ProductIndex, words: readonly string[]): Promise<IndexQuery["groups"]> {
    const typed = await lexemesOf(words);
    const unknown = words.filter((w) => {
      const lexemes = typed.get(w);
      return lexemes !== null && lexemes !== undefined && allowedTypos(w) > 0 && !idx.has(lexemes);
    });
    const near = unknown.length > 0 ? await nearest(idx, unknown) : new Map<string, string[]>();
    const fixes = new Map(unknown.map((w) => [w, corrections(w, near.get(w) ?? [])]));
    const fixed = await lexemesOf([...fixes.values()].flat());
    const groups: NonNullable<IndexQuery["groups"]> = [];
    for (const word of words) {
      const lexemes = typed.get(word);
      if (lexemes === null || lexemes === undefined) continue;
      groups.push([
        { lexemes, typed: true },
        ...(fixes.get(word) ?? []).flatMap((f) => {
          const l = fixed.get(f);
          return l === null || l === undefined ? [] : [{ lexemes: l, typed: false }];
        }),
      ]);
    }
    return groups;
  }

  /** The lexemes of each text token (normalized), from PostgreSQL once per token. */
  async function tokensLexemes(tokens: Iterable<string>): Promise<void> {
    const missing = [...new Set([...tokens].filter((t) => !tokenCache.has(t)))];
    if (missing.length === 0) return;
    for (const [token, lexemes] of await tokenLexemes(db, missing)) tokenCache.set(token, lexemes);
  }

  async function answer(
    idx: ProductIndex,
    query: SearchQuery,
    sort: SearchQuery["sort"],
    ran: (asked: IndexQuery, result: IndexResult) => void,
  ): Promise<SearchResult> {
    const groups = query.words.length > 0 ? await groupsOf(idx, query.words) : query.text ? [] : null;
    const asked: IndexQuery = {
      groups,
      code: query.code,
      category: query.category,
      brand: query.brand,
      minPrice: query.minPrice,
      maxPrice: query.maxPrice,
      inStock: query.inStock,
      locationId: query.locationId,
      sort,
      offset: (query.page - 1) * query.limit,
      limit: query.limit,
    };
    const result = idx.search(asked);
    ran(asked, result);
    const wanted = new Set((groups ?? []).flat().flatMap((a) => a.lexemes.flat()));
    if (query.text !== null) {
      await tokensLexemes(result.hits.flatMap((h) => [...tokensOf(h.doc.name), ...tokensOf(h.doc.description ?? "")]));
    }
    const matches = (token: string) => (tokenCache.get(normalized(token)) ?? []).some((l) => wanted.has(l));
    return rendered(idx, query, result, matches);
  }

  /** An index result as the API answers it. */
  function rendered(
    idx: ProductIndex,
    query: SearchQuery,
    { hits, facets }: IndexResult,
    matches: (token: string) => boolean,
  ): SearchResult {
    return {
      data: hits.map((hit) => toHit(idx, hit, query, matches)),
      total: facets.total,
      facets: {
        categories: categoryTree(facets.categories),
        brands: facets.brands,
        priceRanges: PRICE_RANGES.map((r, i) => ({ ...r, count: facets.prices[i] ?? 0 })),
        inStockOnline: facets.online,
        ...(query.locationId !== undefined && { inStockAtLocation: facets.atLocation }),
      },
    };
  }

  function toHit(idx: ProductIndex, hit: IndexHit, query: SearchQuery, matches: (token: string) => boolean): SearchHit {
    const { doc } = hit;
    return {
      id: doc.id,
      name: doc.name,
      slug: doc.slug,
      brand: doc.brand,
      categoryId: doc.categoryId,
      categoryPath: doc.categoryPath.flatMap((id) => {
        const c = idx.category(id);
        return c ? [{ id: c.id, name: c.name }] : [];
      }),
      minPrice: doc.minPrice,
      maxPrice: doc.maxPrice,
      currency: doc.currency,
      thumbnailUrl: doc.thumbnailUrl,
      inStockOnline: doc.inStockOnline,
      ...(hit.inStockAtLocation !== null && { inStockAtLocation: hit.inStockAtLocation }),
      createdAt: new Date(doc.createdAt).toISOString(),
      ...(hit.matchedCode !== null && { matchedCode: hit.matchedCode }),
      ...(query.text !== null && {
        highlight: {
          name: highlight(marked(doc.name, matches)),
          description: doc.description === null ? null : highlight(excerpt(doc.description, matches)),
        },
      }),
    };
  }

  return {
    get index() {
      return index;
    },
    get loaded() {
      return epoch !== null;
    },
    sync,

    async search(query) {
      await sync();
      // The index as it is now answers the whole search, even if a reload replaces it meanwhile.
      const idx = index;
      const sort = query.sort === "relevance" && query.words.length === 0 && !query.text ? "newest" : query.sort;
      const key = JSON.stringify([query, sort]);
      const kept = answers.get(key);
      // Being computed on this very state: the same answer.
      if (kept?.raw === null && kept.index === idx && kept.version === idx.version) return kept.result;
      if (kept && kept.index === idx && kept.words === idx.wordsVersion && kept.raw !== null) {
        if (kept.version === idx.version) return kept.result;
        if (!idx.affects(kept.raw.query, kept.version)) {
          kept.version = idx.version;
          return kept.result;
        }
        // A price or stock change to a product it counts: brought up to date rather than computed again.
        const refreshed = idx.refresh(kept.raw.query, kept.version, kept.raw.result);
        if (refreshed !== null) {
          kept.raw = { query: kept.raw.query, result: refreshed };
          kept.version = idx.version;
          kept.result = Promise.resolve(rendered(idx, query, refreshed, () => false));
          return kept.result;
        }
      }
      const entry: Kept = {
        index: idx,
        version: idx.version,
        words: idx.wordsVersion,
        raw: null,
        result: undefined as unknown as Promise<SearchResult>,
      };
      entry.result = answer(idx, query, sort, (asked, result) => {
        // What the answer reflects: the index as the search ran.
        entry.raw = { query: asked, result };
        entry.version = idx.version;
        entry.words = idx.wordsVersion;
      });
      answers.set(key, entry);
      entry.result.catch(() => answers.delete(key));
      return entry.result;
    },

    async suggest(words, limit) {
      if (words.length === 0) return [];
      await sync();
      const idx = index;
      if (suggestionsOf?.[0] !== idx || suggestionsOf[1] !== idx.namesVersion) {
        suggestions = new Map();
        suggestionsOf = [idx, idx.namesVersion];
      }
      const key = JSON.stringify([words, limit]);
      let result = suggestions.get(key);
      if (!result) {
        if (suggestions.size >= ANSWERS) suggestions.clear();
        result = suggestNow(idx, words, limit);
        suggestions.set(key, result);
        result.catch(() => suggestions.delete(key));
      }
      return result;
    },
  };

  async function suggestNow(idx: ProductIndex, words: string[], limit: number): Promise<Suggestion[]> {
    // A word no name has a word starting with may be a typo: its near known words count as well.
    const unknown = words.filter((w) => allowedTypos(w) > 0 && !idx.hasNameWordStartingWith(w));
    const near = unknown.length > 0 ? await nearest(idx, unknown) : new Map<string, string[]>();
    const prefixes = words.map((w) => [
      w,
      ...(near.get(w) ?? []).filter((c) => prefixDistance(w, c) <= allowedTypos(w)),
    ]);
    return idx.suggest(prefixes, words.join(" "), limit) satisfies Suggestion[];
  }
}

/** The edits from `word` to the nearest start of `known` (a word still being typed). */
export function prefixDistance(word: string, known: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let length = word.length - 1; length <= word.length + 1; length++) {
    if (length > 0 && length <= known.length) best = Math.min(best, editDistance(word, known.slice(0, length)));
  }
  return best;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

/** Text tokens normalized (lower case, no accents): the same few thousand words come back on every page. */
const NORMALIZED = new BoundedMap<string, string>(CACHE_ENTRIES);
function normalized(token: string): string {
  let n = NORMALIZED.get(token);
  if (n === undefined) NORMALIZED.set(token, (n = normalizeWord(token)));
  return n;
}

/** The normalized words of a text. */
function tokensOf(text: string): string[] {
  return [...text.matchAll(TOKEN)].map((m) => normalized(m[0]));
}

/** The text with every word a query lexeme matches between the engine's marks. */
function marked(text: string, matches: (token: string) => boolean): string {
  return text.replace(TOKEN, (token) => (matches(token) ? `${MARK_START}${token}${MARK_END}` : token));
}

/**
 * A description as shown under a result: whole when short; else up to two fragments of about
 * FRAGMENT_WORDS words around its first matches (joined by " … "), or its first words without one.
 */
function excerpt(text: string, matches: (token: string) => boolean): string {
  if (text.length <= WHOLE_DESCRIPTION) return marked(text, matches);
  const tokens = [...text.matchAll(TOKEN)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    hit: matches(m[0]),
  }));
  const windows: [number, number][] = [];
  for (let i = 0; i < tokens.length && windows.length < 2; i++) {
    if (!tokens[i]!.hit || (windows.length > 0 && i <= windows[windows.length - 1]![1])) continue;
    const from = Math.max(0, i - 5);
    windows.push([from, Math.min(tokens.length - 1, from + FRAGMENT_WORDS - 1)]);
  }
  if (windows.length === 0) windows.push([0, Math.min(tokens.length - 1, FRAGMENT_WORDS - 1)]);
  return windows.map(([from, to]) => marked(text.slice(tokens[from]!.start, tokens[to]!.end), matches)).join(" … ");
}
