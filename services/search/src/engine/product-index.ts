import type { ChangedProduct } from "../db/products.repo";
import type { CountedCategory } from "../model/facets";
import { PRICE_RANGES } from "../model/query";
import type { SearchQuery, SearchSort } from "./search-engine";

/*
 * The products read model held in memory by each search instance: an inverted index of the lexemes
 * PostgreSQL derived (the weighted tsvector of products.repo.ts: French and English stems, unaccented,
 * codes and option values unstemmed), the fields filters and sorts read, and the words of names for
 * type-ahead. It is fed only by the change feed (indexed-engine.ts) and does no I/O: given lexemes, it
 * matches, filters, counts facets and ranks in one pass over the matching products.
 *
 * Products are numbered as they are added ("docs"). A product whose lexemes change gets a new number
 * and its old one is left dead in the posting lists until they are compacted; a change that keeps its
 * lexemes (a price, a stock level) is made in place.
 */

/** Posting entries pack a doc number and the weights (A 8, B 4, C 2, D 1) its lexeme has there. */
const WEIGHT_BITS = 16;
const WEIGHT_OF: Record<string, number> = { A: 8, B: 4, C: 2, D: 1 };
/** A match's worth by its best weight: the name (A) far above brand and category (B), codes, the description. */
const WORTH = [0, 0.1, 0.2, 0.2, 0.4, 0.4, 0.4, 0.4, 1, 1, 1, 1, 1, 1, 1, 1];
/** Price facet bounds: width_bucket over the ranges' lower bounds past the first. */
const BOUNDS = PRICE_RANGES.slice(1).map((r) => r.min);

export interface Doc {
  id: string;
  name: string;
  slug: string;
  brand: string | null;
  /** Interned lower-case brand, -1 without one. */
  brandKey: number;
  categoryId: string;
  /** Category ids, root … the product's category; and the same interned. */
  categoryPath: string[];
  path: number[];
  description: string | null;
  minPrice: number;
  maxPrice: number;
  currency: string;
  thumbnailUrl: string | null;
  inStockOnline: boolean;
  /** Interned location ids where some variant has stock available. */
  locations: number[];
  createdAt: number;
  nameKey: string;
  prices: number[];
  /** SKUs as stored (`matchedCode`), and the keys the doc is found by as a code. */
  skus: string[];
  codeKeys: string[];
  /** A hash of the lexemes (a change that keeps them is made in place), and how many it has. */
  lexemesHash: string;
  entries: number;
}

export interface CategoryRow {
  id: string;
  parent_id: string | null;
  name: string;
  slug: string;
  position: number;
  name_key: string;
}

/** A word of the query: the lexemes that match it, as alternatives each needing all its lexemes. */
export type WordLexemes = string[][];

/** A search as the index runs it: the port's code, filters, sort and limit, with the text as lexemes and an offset. */
export interface IndexQuery extends Pick<
  SearchQuery,
  "code" | "category" | "brand" | "minPrice" | "maxPrice" | "inStock" | "locationId" | "sort" | "limit"
> {
  /**
   * The text's groups (every group must match, by any of its alternatives); null: no text, every
   * product. Each alternative says whether it is a word as typed (a product matching all groups by
   * typed words is an exact match, ranked before corrections).
   */
  groups: { lexemes: WordLexemes; typed: boolean }[][] | null;
  offset: number;
}

export interface IndexHit {
  /** The doc's number when the search ran. */
  n: number;
  doc: Doc;
  matchedCode: string | null;
  inStockAtLocation: boolean | null;
}

export interface IndexFacets {
  total: number;
  categories: CountedCategory[];
  brands: { brand: string; count: number }[];
  prices: number[];
  online: number;
  atLocation: number;
}

/** What facets are made of, kept with an answer so that a change can be applied to it (`refresh`). */
export interface IndexCounts {
  total: number;
  categoryCounts: Int32Array;
  brandCounts: Int32Array;
  prices: number[];
  online: number;
  atLocation: number;
}

export interface IndexResult {
  hits: IndexHit[];
  facets: IndexFacets;
  counts: IndexCounts;
}

export interface IndexSuggestion {
  kind: "category" | "product";
  id: string;
  text: string;
  slug: string;
}

/** A logged change: a doc changed in place (as it `was`, as it `is`), or anything else. */
type ChangeKind = "was" | "is" | "other";

/** Two 32-bit FNV-1a hashes (different offsets) and the length: equal lexemes, or a 1-in-2^64 accident. */
function hash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x811c9dc5) + i;
  }
  return `${h1 >>> 0}:${h2 >>> 0}:${text.length}`;
}

/** Strings to small integers (categories, brands, locations), never forgotten. */
class Interner {
  private readonly numbers = new Map<string, number>();
  readonly names: string[] = [];
  of(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.numbers.set(name, n);
      this.names.push(name);
    }
    return n;
  }
  find(name: string): number | undefined {
    return this.numbers.get(name);
  }
  get size(): number {
    return this.names.length;
  }
}

function bucketOf(price: number): number {
  let b = 0;
  while (b < BOUNDS.length && price >= BOUNDS[b]!) b++;
  return b;
}

export class ProductIndex {
  /** Changes whenever what a search could return changes (answers may be reused within one version). */
  version = 0;
  /** Changes whenever a suggestion could change: names and categories (not prices or stock). */
  namesVersion = 0;
  /** Changes whenever a word appears that no product had (a typo's corrections may change). */
  wordsVersion = 0;
  private docs: (Doc | undefined)[] = [];
  private readonly byId = new Map<string, number>();
  /**
   * The recent changes, newest last: which doc (as it was, and as it is) each version touched, or
   * null for a change that may touch any answer (categories, a brand's spelling). `affects` reads it.
   */
  private changeLog: { version: number; n: number; doc: Doc | null; kind: ChangeKind }[] = [];
  /** Versions up to this one may have left the log. */
  private forgottenUpTo = 0;
  /** Each product's last change applied (its change_seq). */
  private readonly applied = new Map<string, string>();
  private readonly postings = new Map<string, number[]>();
  private readonly nameWords = new Map<string, number[]>();
  private sortedNames: string[] | null = null;
  /** The first word of each name: names starting as typed are found from here. */
  private readonly firstWords = new Map<string, number[]>();
  private sortedFirsts: string[] | null = null;
  private readonly codes = new Map<string, string[]>();
  private deadEntries = 0;
  private liveEntries = 0;
  private readonly categoryIds = new Interner();
  private readonly brands = new Interner();
  private readonly locationIds = new Interner();
  private categories = new Map<string, CategoryRow>();
  private categoriesSignature = "";
  /** Per interned category, the docs in it or under it (dead ones until compacted). */
  private categoryDocs: number[][] = [];
  /** Per interned brand, its spellings in use (with how many products) and the one facets show. */
  private brandSpellings: Map<string, number>[] = [];
  private brandShown: string[] = [];
  // What filters, facets and sorts read of each doc, by doc number (a typed array per field).
  private alive = new Uint8Array(1024);
  private minPrices = new Float64Array(1024);
  private maxPrices = new Float64Array(1024);
  private brandKeys = new Int32Array(1024);
  private inStockOnline = new Uint8Array(1024);
  private buckets = new Uint8Array(1024);
  private createdAts = new Float64Array(1024);
  /** The doc's own category (interned); its path is in leafPaths. */
  private leafs = new Int32Array(1024);
  private leafPaths: number[][] = [];
  /** Per interned location, 1 for the docs with stock available there. */
  private stockAt: Uint8Array[] = [];
  /** Scratch of one search: what relevance sorts by. */
  private rankKeys = new Float64Array(1024);
  // Per-doc scratch of one evaluation (the index is used by one thread): stamped by evaluation number.
  private stamp = new Int32Array(1024);
  private matched = new Int32Array(1024);
  private exact = new Int32Array(1024);
  private exactGroup = new Int32Array(1024);
  private score = new Float64Array(1024);
  private groupScore = new Float64Array(1024);
  private evaluation = 0;

  get size(): number {
    return this.byId.size;
  }

  clear(): void {
    this.docs = [];
    this.byId.clear();
    this.applied.clear();
    this.postings.clear();
    this.nameWords.clear();
    this.sortedNames = null;
    this.firstWords.clear();
    this.sortedFirsts = null;
    this.namesVersion++;
    this.changeLog = [];
    this.codes.clear();
    this.categoryDocs = [];
    this.brandSpellings = [];
    this.alive.fill(0);
    for (const column of this.stockAt) column.fill(0);
    this.deadEntries = 0;
    this.liveEntries = 0;
    this.version++;
    this.forgottenUpTo = this.version;
  }

  setCategories(rows: readonly CategoryRow[]): void {
    const signature = JSON.stringify(rows);
    if (signature === this.categoriesSignature) return;
    this.categoriesSignature = signature;
    this.categories = new Map(rows.map((r) => [r.id, r]));
    this.version++;
    this.namesVersion++;
    this.wordsVersion++;
    this.logChange(-1, null);
  }

  /** A category by id, as known now. */
  category(id: string): CategoryRow | undefined {
    return this.categories.get(id);
  }

  /** Applies a product as the feed gives it: added, changed in place, renumbered, or removed. */
  apply(row: ChangedProduct): void {
    // The feed gives a row again while the transaction that wrote it might not have been seen ended.
    if (this.applied.get(row.id) === row.change_seq) return;
    this.applied.set(row.id, row.change_seq);
    this.version++;
    const current = this.byId.get(row.id);
    if (!row.searchable || row.lexemes === null || row.variants === null || row.min_price === null) {
      if (current !== undefined) this.remove(row.id, current);
      return;
    }
    const lexemesHash = hash(row.lexemes);
    const variants = row.variants;
    const doc: Doc = {
      id: row.id,
      name: row.name,
      slug: row.slug,
      brand: row.brand,
      brandKey: row.brand === null ? -1 : this.brands.of(row.brand.toLowerCase()),
      categoryId: row.category_id ?? "",
      categoryPath: row.category_path,
      path: row.category_path.map((c) => this.categoryIds.of(c)),
      description: row.description,
      minPrice: Number(row.min_price),
      maxPrice: Number(row.max_price),
      currency: row.currency ?? "EUR",
      thumbnailUrl: row.thumbnail_url,
      inStockOnline: row.in_stock_online,
      locations: row.stock_locations.map((l) => this.locationIds.of(l)),
      createdAt: row.created_at.getTime(),
      nameKey: row.name_key,
      prices: variants.map((v) => Number(v[2])),
      skus: variants.map((v) => v[0]),
      codeKeys: variants.flatMap(([sku, barcode]) => [
        `s:${sku.toLowerCase()}`,
        ...(barcode === null ? [] : [`b:${barcode}`]),
      ]),
      lexemesHash,
      entries: 0,
    };
    if (current !== undefined) {
      const old = this.docs[current]!;
      if (old.lexemesHash === lexemesHash && old.nameKey === doc.nameKey && old.path.join() === doc.path.join()) {
        this.unlinkCodes(old);
        this.linkCodes(doc);
        this.countSpelling(old, -1);
        this.countSpelling(doc, 1);
        doc.entries = old.entries;
        this.docs[current] = doc;
        this.setColumns(current, doc, old);
        if (old.name !== doc.name || old.slug !== doc.slug) this.namesVersion++;
        this.logChange(current, old, "was");
        this.logChange(current, doc, "is");
        return;
      }
      this.remove(row.id, current);
    }
    const n = this.docs.length;
    this.docs.push(doc);
    this.ensureScratch(this.docs.length);
    this.byId.set(row.id, n);
    this.setColumns(n, doc);
    this.linkCodes(doc);
    this.countSpelling(doc, 1);
    this.logChange(n, doc);
    for (const c of doc.path) (this.categoryDocs[c] ??= []).push(n);
    for (const entry of row.lexemes.split("\u0002")) {
      const cut = entry.lastIndexOf("\u0001");
      const lexeme = entry.slice(0, cut);
      let weights = 0;
      for (const w of entry.slice(cut + 1)) weights |= WEIGHT_OF[w] ?? 1;
      let list = this.postings.get(lexeme);
      if (!list) {
        this.postings.set(own(lexeme), (list = []));
        this.wordsVersion++;
      }
      list.push(n * WEIGHT_BITS + (weights || 1));
      doc.entries++;
    }
    this.liveEntries += doc.entries;
    for (const word of new Set(doc.nameKey.split(" "))) {
      if (word === "") continue;
      let list = this.nameWords.get(word);
      if (!list) {
        this.nameWords.set(word, (list = []));
        this.sortedNames = null;
      }
      list.push(n);
    }
    const first = doc.nameKey.split(" ").find((w) => w !== "");
    if (first !== undefined) {
      let list = this.firstWords.get(first);
      if (!list) {
        this.firstWords.set(first, (list = []));
        this.sortedFirsts = null;
      }
      list.push(n);
    }
    this.namesVersion++;
  }

  /** Counts a product's brand spelling in (1) or out (-1): a facet shows the first spelling in use. */
  private countSpelling(doc: Doc, delta: 1 | -1): void {
    if (doc.brand === null) return;
    const spellings = (this.brandSpellings[doc.brandKey] ??= new Map());
    const count = (spellings.get(doc.brand) ?? 0) + delta;
    if (count > 0) spellings.set(doc.brand, count);
    else spellings.delete(doc.brand);
    let shown: string | undefined;
    for (const spelling of spellings.keys()) if (shown === undefined || spelling < shown) shown = spelling;
    if (shown !== undefined && shown !== this.brandShown[doc.brandKey]) {
      // Every answer counting this brand shows it otherwise now.
      if (this.brandShown[doc.brandKey] !== undefined) this.logChange(-1, null);
      this.brandShown[doc.brandKey] = shown;
    }
  }

  private setColumns(n: number, doc: Doc, old?: Doc): void {
    for (const l of old?.locations ?? []) this.stockAt[l]![n] = 0;
    for (const l of doc.locations) (this.stockAt[l] ??= new Uint8Array(this.alive.length))[n] = 1;
    const leaf = doc.path[doc.path.length - 1] ?? this.categoryIds.of("");
    this.leafs[n] = leaf;
    this.leafPaths[leaf] = doc.path;
    this.alive[n] = 1;
    this.minPrices[n] = doc.minPrice;
    this.maxPrices[n] = doc.maxPrice;
    this.brandKeys[n] = doc.brandKey;
    this.inStockOnline[n] = doc.inStockOnline ? 1 : 0;
    this.buckets[n] = bucketOf(doc.minPrice);
    this.createdAts[n] = doc.createdAt;
  }

  private remove(id: string, n: number): void {
    const old = this.docs[n]!;
    this.logChange(n, old);
    this.unlinkCodes(old);
    this.countSpelling(old, -1);
    this.docs[n] = undefined;
    this.alive[n] = 0;
    for (const l of old.locations) this.stockAt[l]![n] = 0;
    this.namesVersion++;
    this.byId.delete(id);
    this.liveEntries -= old.entries;
    this.deadEntries += old.entries;
    // Dead entries are skipped by every reader; compacted once they are as many as the live ones.
    if (this.deadEntries > Math.max(this.liveEntries, 10_000)) this.compact();
  }

  private logChange(n: number, doc: Doc | null, kind: ChangeKind = "other"): void {
    this.changeLog.push({ version: this.version, n, doc, kind });
    if (this.changeLog.length > 1_024) {
      const dropped = this.changeLog.splice(0, 512);
      this.forgottenUpTo = dropped[dropped.length - 1]!.version;
    }
  }

  /**
   * Whether a change after `since` may have changed this search's answer (its results, their order,
   * any facet count): a doc changed (as it was or as it is) that the search's text or code matches,
   * within its category; or a change that touches every answer. Filters on brand, price and stock are
   * not checked: their facets count docs the filter leaves out. True when the log no longer reaches back.
   */
  affects(q: IndexQuery, since: number): boolean {
    if (since === this.version) return false;
    if (since < this.forgottenUpTo) return true;
    const log = this.changeLog;
    for (let i = log.length - 1; i >= 0 && log[i]!.version > since; i--) {
      const { n, doc } = log[i]!;
      if (doc === null || this.inScope(q, n, doc)) return true;
    }
    return false;
  }

  /**
   * A kept answer to a search without text, brought up to date after the changes since `since`
   * when each is a change in place (a price, a stock level) it can absorb: the change's old and new
   * state are taken out of and put into the counts, and the page keeps its order (the changed doc
   * stays where it was, or stays out of it). Null when it must be computed again: a change of another
   * kind, a page past the first, a doc leaving the page or able to enter it, a price sort's key moving.
   */
  refresh(q: IndexQuery, since: number, kept: IndexResult): IndexResult | null {
    if (q.groups !== null || q.offset !== 0 || since < this.forgottenUpTo) return null;
    const log = this.changeLog;
    let first = log.length;
    while (first > 0 && log[first - 1]!.version > since) first--;
    const category = q.category === undefined ? undefined : (this.categoryIds.find(q.category) ?? -2);
    const brand = q.brand === undefined ? undefined : (this.brands.find(q.brand.toLowerCase()) ?? -2);
    const location = q.locationId === undefined ? undefined : (this.locationIds.find(q.locationId) ?? -2);
    const counts: IndexCounts = {
      ...kept.counts,
      // Sized for the categories and brands known now (a change may bring a brand no count had).
      categoryCounts: grown(kept.counts.categoryCounts, this.categoryIds.size),
      brandCounts: grown(kept.counts.brandCounts, this.brands.size),
      prices: [...kept.counts.prices],
    };
    const hits = [...kept.hits];
    const better = this.comparator(q.sort, false);
    for (let i = first; i < log.length; i++) {
      const entry = log[i]!;
      if (entry.doc !== null && !this.inScope(q, entry.n, entry.doc)) continue;
      if (entry.kind !== "was") return null;
      const next = log[i + 1];
      if (next?.kind !== "is" || next.n !== entry.n || next.doc === null) return null;
      i++;
      const was = entry.doc!;
      const is = next.doc;
      if (category !== undefined && category >= 0 && !was.path.includes(category)) continue;
      this.count(q, was, -1, counts, brand, location);
      const passes = this.count(q, is, 1, counts, brand, location);
      const at = hits.findIndex((h) => h.n === entry.n);
      if (at >= 0) {
        // In the page: it must stay, at the same place.
        if (!passes || (q.sort !== "newest" && q.sort !== "relevance" && was.minPrice !== is.minPrice)) return null;
        if (this.docs[entry.n] !== is) return null; // changed again since: the later entry says how
        hits[at] = {
          ...hits[at]!,
          doc: is,
          inStockAtLocation: location === undefined ? null : is.locations.includes(location),
        };
      } else if (passes) {
        // Out of it: it must stay out (the page is full and it ranks after its last).
        const last = hits[hits.length - 1];
        if (hits.length < q.limit || last === undefined || this.docs[last.n] !== last.doc) return null;
        if (this.docs[entry.n] !== is || better(entry.n, last.n)) return null;
      }
    }
    return { hits, facets: this.facetsOf(counts), counts };
  }

  /** Adds (1) or takes out (-1) a doc's share of a search's counts, as search's loop counts it; whether it is a result. */
  private count(
    q: IndexQuery,
    doc: Doc,
    sign: 1 | -1,
    counts: IndexCounts,
    brand: number | undefined,
    location: number | undefined,
  ): boolean {
    if (!this.inCategory(q, doc)) return false;
    if (q.inStock === true && (location === undefined ? !doc.inStockOnline : !doc.locations.includes(location)))
      return false;
    const min = q.minPrice ?? 0;
    const max = q.maxPrice ?? Number.MAX_SAFE_INTEGER;
    const inPrice =
      (q.minPrice === undefined && q.maxPrice === undefined) || doc.prices.some((p) => p >= min && p <= max);
    const ofBrand = brand === undefined || doc.brandKey === brand;
    if (inPrice && doc.brandKey >= 0) counts.brandCounts[doc.brandKey]! += sign;
    if (ofBrand) counts.prices[bucketOf(doc.minPrice)]! += sign;
    if (!ofBrand || !inPrice) return false;
    counts.total += sign;
    for (const c of this.leafPaths[doc.path[doc.path.length - 1] ?? -1] ?? doc.path) counts.categoryCounts[c]! += sign;
    if (doc.inStockOnline) counts.online += sign;
    if (location !== undefined && doc.locations.includes(location)) counts.atLocation += sign;
    return true;
  }

  /** Whether the doc is in the search's category (or under it), or the search has none. */
  private inCategory(q: IndexQuery, doc: Doc): boolean {
    if (q.category === undefined) return true;
    const c = this.categoryIds.find(q.category);
    return c !== undefined && doc.path.includes(c);
  }

  private inScope(q: IndexQuery, n: number, doc: Doc): boolean {
    if (!this.inCategory(q, doc)) return false;
    if (q.groups === null) return true;
    if (q.code !== null && (doc.codeKeys.includes(`s:${q.code.toLowerCase()}`) || doc.codeKeys.includes(`b:${q.code}`)))
      return true;
    const groups = q.groups.filter((g) => g.length > 0);
    return (
      groups.length > 0 &&
      groups.every((group) =>
        group.some((alternative) =>
          alternative.lexemes.some((lexemes) => lexemes.every((lexeme) => this.hasEntry(lexeme, n))),
        ),
      )
    );
  }

  /** Whether doc n has this lexeme (posting lists are in doc order: a binary search). */
  private hasEntry(lexeme: string, n: number): boolean {
    const list = this.postings.get(lexeme);
    if (!list) return false;
    let lo = 0;
    let hi = list.length;
    const from = n * WEIGHT_BITS;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo]! < from + WEIGHT_BITS;
  }

  /** Drops dead docs' entries from every posting list and name word. */
  compact(): void {
    let live = 0;
    for (const [lexeme, list] of this.postings) {
      const kept = list.filter((v) => this.docs[Math.floor(v / WEIGHT_BITS)] !== undefined);
      if (kept.length === 0) this.postings.delete(lexeme);
      else this.postings.set(lexeme, kept);
      live += kept.length;
    }
    this.categoryDocs = this.categoryDocs.map((list) => list.filter((n) => this.alive[n] === 1));
    for (const [word, list] of this.nameWords) {
      const kept = list.filter((n) => this.docs[n] !== undefined);
      if (kept.length === 0) {
        this.nameWords.delete(word);
        this.sortedNames = null;
      } else this.nameWords.set(word, kept);
    }
    for (const [word, list] of this.firstWords) {
      const kept = list.filter((n) => this.alive[n] === 1);
      if (kept.length === 0) {
        this.firstWords.delete(word);
        this.sortedFirsts = null;
      } else this.firstWords.set(word, kept);
    }
    this.liveEntries = live;
    this.deadEntries = 0;
  }

  private linkCodes(doc: Doc): void {
    for (const key of doc.codeKeys) {
      const ids = this.codes.get(key);
      if (!ids) this.codes.set(key, [doc.id]);
      else if (!ids.includes(doc.id)) ids.push(doc.id);
    }
  }

  private unlinkCodes(doc: Doc): void {
    for (const key of doc.codeKeys) {
      const ids = this.codes.get(key)?.filter((id) => id !== doc.id);
      if (!ids || ids.length === 0) this.codes.delete(key);
      else this.codes.set(key, ids);
    }
  }

  private ensureScratch(size: number): void {
    if (size <= this.stamp.length) return;
    let length = this.stamp.length;
    while (length < size) length *= 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(length);
      next.set(old as never);
      return next;
    };
    this.stamp = grow(this.stamp, (n) => new Int32Array(n));
    this.matched = grow(this.matched, (n) => new Int32Array(n));
    this.exact = grow(this.exact, (n) => new Int32Array(n));
    this.exactGroup = grow(this.exactGroup, (n) => new Int32Array(n));
    this.score = grow(this.score, (n) => new Float64Array(n));
    this.groupScore = grow(this.groupScore, (n) => new Float64Array(n));
    this.alive = grow(this.alive, (n) => new Uint8Array(n));
    this.minPrices = grow(this.minPrices, (n) => new Float64Array(n));
    this.maxPrices = grow(this.maxPrices, (n) => new Float64Array(n));
    this.brandKeys = grow(this.brandKeys, (n) => new Int32Array(n));
    this.inStockOnline = grow(this.inStockOnline, (n) => new Uint8Array(n));
    this.buckets = grow(this.buckets, (n) => new Uint8Array(n));
    this.createdAts = grow(this.createdAts, (n) => new Float64Array(n));
    this.leafs = grow(this.leafs, (n) => new Int32Array(n));
    this.rankKeys = grow(this.rankKeys, (n) => new Float64Array(n));
    this.stockAt = this.stockAt.map((column) => grow(column, (n) => new Uint8Array(n)));
  }

  /** The posting entries of an alternative: one lexeme's list, or the docs having all its lexemes. */
  private entriesOf(lexemes: readonly string[]): readonly number[] {
    if (lexemes.length === 1) return this.postings.get(lexemes[0]!) ?? [];
    const lists = lexemes.map((l) => this.postings.get(l) ?? []).sort((a, b) => a.length - b.length);
    let docs = new Map<number, number>();
    for (const v of lists[0]!) docs.set(Math.floor(v / WEIGHT_BITS), v % WEIGHT_BITS);
    for (const list of lists.slice(1)) {
      const next = new Map<number, number>();
      for (const v of list) {
        const n = Math.floor(v / WEIGHT_BITS);
        const w = docs.get(n);
        if (w !== undefined) next.set(n, w | (v % WEIGHT_BITS));
      }
      docs = next;
    }
    return [...docs].map(([n, w]) => n * WEIGHT_BITS + w);
  }

  /** Whether some live product has this word (by any of its alternatives). */
  has(word: WordLexemes): boolean {
    for (const alternative of word) {
      for (const v of this.entriesOf(alternative))
        if (this.docs[Math.floor(v / WEIGHT_BITS)] !== undefined) return true;
    }
    return false;
  }

  /** The product ids a SKU (any case) or barcode belongs to, with the code as stored. */
  private codeMatches(code: string): Map<number, string> {
    const found = new Map<number, string>();
    const add = (key: string, shown: (doc: Doc) => string) => {
      for (const id of this.codes.get(key) ?? []) {
        const n = this.byId.get(id);
        if (n !== undefined && !found.has(n)) found.set(n, shown(this.docs[n]!));
      }
    };
    // The SKU first when a code is both.
    const lower = code.toLowerCase();
    add(`s:${lower}`, (doc) => doc.skus.find((sku) => sku.toLowerCase() === lower) ?? code);
    add(`b:${code}`, () => code);
    return found;
  }

  /** Matches, filters, counts facets and ranks: the page asked for and the facets of every result. */
  search(q: IndexQuery): IndexResult {
    const evaluation = this.nextEvaluation();
    const byCode = q.code === null ? new Map<number, string>() : this.codeMatches(q.code);
    const category = q.category === undefined ? undefined : (this.categoryIds.find(q.category) ?? -2);
    const brand = q.brand === undefined ? undefined : (this.brands.find(q.brand.toLowerCase()) ?? -2);
    const location = q.locationId === undefined ? undefined : (this.locationIds.find(q.locationId) ?? -2);
    // The docs to look at: the text's matches; else the category's products; else every product.
    let candidates: readonly number[] | null = null;
    let inCategoryAlready = false;
    let groupsNeeded = 0;
    if (q.groups !== null) {
      const groups = q.groups.filter((g) => g.length > 0);
      groupsNeeded = groups.length;
      const found = groups.length === 0 ? [] : this.matchText(groups, evaluation);
      for (const n of byCode.keys()) {
        if (this.stamp[n] !== evaluation) found.push(n); // else already among the text's candidates
      }
      candidates = found;
    } else if (category !== undefined) {
      candidates = this.categoryDocs[category] ?? [];
      inCategoryAlready = true;
    }
    const textual = q.groups !== null;
    const min = q.minPrice ?? 0;
    const max = q.maxPrice ?? Number.MAX_SAFE_INTEGER;
    const priced = q.minPrice !== undefined || q.maxPrice !== undefined;
    const stockNeeded = q.inStock === true;

    const categoryCounts = new Int32Array(this.categoryIds.size);
    const brandCounts = new Int32Array(this.brands.size);
    const prices = new Array<number>(PRICE_RANGES.length).fill(0);
    let total = 0;
    let online = 0;
    let atLocation = 0;
    const keep = q.offset + q.limit;
    const better = this.comparator(q.sort, q.groups !== null);
    const heap: number[] = [];
    const { docs, alive, minPrices, maxPrices, brandKeys, inStockOnline, buckets, leafs, rankKeys } = this;
    const { stamp, matched, exact, score } = this;
    const stockAt = location === undefined || location < 0 ? undefined : this.stockAt[location];
    // The sort's first key (larger is better once signed); ties go to `better`.
    const sortKeys =
      q.sort === "price_asc" || q.sort === "price_desc"
        ? minPrices
        : q.sort === "relevance" && textual
          ? rankKeys
          : this.createdAts;
    const sign = q.sort === "price_asc" ? -1 : 1;
    const leafCounts = new Int32Array(this.categoryIds.size);
    const codes = byCode.size > 0;

    // The hot loop reads typed arrays only (a doc object only for a rare price or category check).
    const visit = (n: number): void => {
      if (alive[n] === 0) return;
      const textMatch = stamp[n] === evaluation && matched[n] === groupsNeeded;
      if (textual && !textMatch && !(codes && byCode.has(n))) return;
      if (stockNeeded && (location === undefined ? inStockOnline[n] === 0 : stockAt === undefined || stockAt[n] === 0))
        return;
      if (!inCategoryAlready && category !== undefined && !docs[n]!.path.includes(category)) return;
      let inPrice = true;
      if (priced) {
        const low = minPrices[n]!;
        const high = maxPrices[n]!;
        if (high < min || low > max) inPrice = false;
        else if (low < min && high > max) inPrice = docs[n]!.prices.some((p) => p >= min && p <= max);
      }
      const brandKey = brandKeys[n]!;
      const ofBrand = brand === undefined || brandKey === brand;
      // A facet counts as if its own filter were off: the brands and price ranges a shopper could switch to.
      if (inPrice && brandKey >= 0) brandCounts[brandKey]!++;
      if (ofBrand) prices[buckets[n]!]!++;
      if (!ofBrand || !inPrice) return;
      total++;
      leafCounts[leafs[n]!]!++;
      if (inStockOnline[n] === 1) online++;
      if (stockAt !== undefined && stockAt[n] === 1) atLocation++;
      if (textual) {
        rankKeys[n] =
          (codes && byCode.has(n) ? 4e6 : 0) +
          (textMatch && exact[n] === groupsNeeded ? 1e6 : 0) +
          (textMatch ? score[n]! : 0);
      }
      // The best `keep` so far, worst on top; most docs are turned away by the sort's first key alone.
      if (heap.length < keep) {
        heap.push(n);
        siftUp(heap, heap.length - 1, better);
      } else if (keep > 0) {
        const mine = sign * sortKeys[n]!;
        const worst = sign * sortKeys[heap[0]!]!;
        if (mine < worst || (mine === worst && !better(n, heap[0]!))) return;
        heap[0] = n;
        siftDown(heap, 0, better);
      }
    };
    // Newest first (docs are numbered as they arrive): the page of a "newest" sort fills at once.
    if (candidates === null) {
      for (let n = docs.length - 1; n >= 0; n--) visit(n);
    } else {
      for (let i = candidates.length - 1; i >= 0; i--) visit(candidates[i]!);
    }
    // Each result counts in its category and every category above it.
    leafCounts.forEach((count, leaf) => {
      if (count > 0) for (const c of this.leafPaths[leaf] ?? [leaf]) categoryCounts[c]! += count;
    });

    heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    const hits = heap.slice(q.offset).map((n) => {
      const doc = this.docs[n]!;
      return {
        n,
        doc,
        matchedCode: byCode.get(n) ?? null,
        inStockAtLocation: location === undefined ? null : doc.locations.includes(location),
      };
    });
    const counts: IndexCounts = { total, categoryCounts, brandCounts, prices, online, atLocation };
    return { hits, facets: this.facetsOf(counts), counts };
  }

  /** The facets as answers show them, from the raw counts. */
  private facetsOf(counts: IndexCounts): IndexFacets {
    const { total, categoryCounts, brandCounts, prices, online, atLocation } = counts;
    const categories: CountedCategory[] = [];
    categoryCounts.forEach((count, c) => {
      const row = count > 0 ? this.categories.get(this.categoryIds.names[c]!) : undefined;
      if (row) categories.push({ id: row.id, parentId: row.parent_id, name: row.name, position: row.position, count });
    });
    const brands: { brand: string; count: number }[] = [];
    brandCounts.forEach((count, b) => {
      if (count > 0) brands.push({ brand: this.brandShown[b]!, count });
    });
    brands.sort((a, b) => b.count - a.count || compare(a.brand.toLowerCase(), b.brand.toLowerCase()));
    return { total, categories, brands: brands.slice(0, 50), prices: [...prices], online, atLocation };
  }

  private nextEvaluation(): number {
    this.evaluation = (this.evaluation + 1) | 0;
    if (this.evaluation === 0) {
      this.stamp.fill(0);
      this.evaluation = 1;
    }
    return this.evaluation;
  }

  /**
   * The docs matching every group, by scoring each group's posting entries in turn (smallest group
   * first): a doc is still in after group g when it matched groups 0…g. Returns the first group's docs;
   * those with `matched === groups.length` match them all.
   */
  private matchText(groups: { lexemes: WordLexemes; typed: boolean }[][], evaluation: number): number[] {
    const withEntries = groups.map((group) =>
      group.flatMap((alternative) =>
        alternative.lexemes.map((lexemes) => ({ entries: this.entriesOf(lexemes), typed: alternative.typed })),
      ),
    );
    withEntries.sort((a, b) => size(a) - size(b));
    const first: number[] = [];
    withEntries.forEach((group, g) => {
      for (const { entries, typed } of group) {
        for (const v of entries) {
          const n = Math.floor(v / WEIGHT_BITS);
          if (g === 0) {
            if (this.stamp[n] !== evaluation) {
              if (this.docs[n] === undefined) continue;
              this.stamp[n] = evaluation;
              this.matched[n] = 0;
              this.score[n] = 0;
              this.exact[n] = 0;
              this.exactGroup[n] = -1;
              first.push(n);
            }
          } else if (this.stamp[n] !== evaluation) continue;
          const worth = WORTH[v % WEIGHT_BITS]!;
          if (this.matched[n] === g) {
            this.matched[n] = g + 1;
            this.score[n] = this.score[n]! + worth;
            this.groupScore[n] = worth;
          } else if (this.matched[n] === g + 1 && worth > this.groupScore[n]!) {
            this.score[n] = this.score[n]! + worth - this.groupScore[n]!;
            this.groupScore[n] = worth;
          } else if (this.matched[n] !== g + 1) continue;
          if (typed && this.exactGroup[n] !== g) {
            this.exactGroup[n] = g;
            this.exact[n] = this.exact[n]! + 1;
          }
        }
      }
    });
    return first;
  }

  /** Whether doc a ranks before doc b in this sort. */
  private comparator(sort: SearchSort, textual: boolean): (a: number, b: number) => boolean {
    const { docs, createdAts, minPrices } = this;
    const newest = (a: number, b: number) =>
      createdAts[a] !== createdAts[b] ? createdAts[a]! > createdAts[b]! : docs[a]!.id > docs[b]!.id;
    switch (sort) {
      case "price_asc":
        return (a, b) => (minPrices[a] !== minPrices[b] ? minPrices[a]! < minPrices[b]! : docs[a]!.id < docs[b]!.id);
      case "price_desc":
        return (a, b) => (minPrices[a] !== minPrices[b] ? minPrices[a]! > minPrices[b]! : docs[a]!.id > docs[b]!.id);
      case "newest":
        return newest;
      case "relevance": {
        // Without text, nothing to rank by: the newest first.
        if (!textual) return newest;
        // The code's product, then matches of every word as typed, then by score (set by search's loop).
        const { rankKeys } = this;
        return (a, b) => (rankKeys[a] !== rankKeys[b] ? rankKeys[a]! > rankKeys[b]! : newest(a, b));
      }
    }
  }

  /**
   * Type-ahead: up to 3 categories and `limit` products whose names have a word starting with each
   * word typed (`prefixes[i]`: the words counted as such for word i, the word itself first, then its
   * corrections); names starting with the whole phrase first, then the shortest.
   */
  suggest(prefixes: readonly string[][], phrase: string, limit: number): IndexSuggestion[] {
    const startsWith = ` ${phrase}`;
    const order = (a: { key: string; name: string; id: string }, b: { key: string; name: string; id: string }) =>
      Number(b.key.startsWith(startsWith)) - Number(a.key.startsWith(startsWith)) ||
      a.name.length - b.name.length ||
      compare(a.name, b.name) ||
      compare(a.id, b.id);
    const categories = [...this.categories.values()]
      .filter((c) => prefixes.every((alternatives) => alternatives.some((p) => c.name_key.includes(` ${p}`))))
      .map((c) => ({ key: c.name_key, name: c.name, id: c.id, slug: c.slug }))
      .sort(order)
      .slice(0, 3)
      .map((c): IndexSuggestion => ({ kind: "category", id: c.id, text: c.name, slug: c.slug }));

    // Names starting with the phrase come first: found from the names' first words when enough of them.
    const docs = this.docs;
    const words = phrase.split(" ");
    const rest = prefixes.slice(1);
    const hasRest = (key: string) => rest.every((alternatives) => alternatives.some((p) => key.includes(` ${p}`)));
    const starters = new SelectShortest(limit, docs);
    const firstPrefix = words.length === 1 ? words[0]! : `${words[0]!} `;
    for (const word of startingWith(this.sortedFirstWords(), [words[0]!])) {
      if (words.length > 1 && word !== words[0]) continue;
      for (const n of this.firstWords.get(word) ?? []) {
        const doc = docs[n];
        if (
          doc !== undefined &&
          doc.nameKey.startsWith(` ${firstPrefix}`) &&
          doc.nameKey.startsWith(startsWith) &&
          hasRest(doc.nameKey)
        )
          starters.offer(n);
      }
    }
    const found = starters.result();
    if (found.length < limit) {
      const others = new SelectShortest(limit - found.length, docs);
      for (const n of this.nameMatches(prefixes)) if (!docs[n]!.nameKey.startsWith(startsWith)) others.offer(n);
      found.push(...others.result());
    }
    return [
      ...categories,
      ...found.map((n): IndexSuggestion => {
        const doc = docs[n]!;
        return { kind: "product", id: doc.id, text: doc.name, slug: doc.slug };
      }),
    ];
  }

  /** The docs whose names have, for every word typed, a word starting with it (or with one of its alternatives). */
  private nameMatches(prefixes: readonly string[][]): number[] {
    const evaluation = this.nextEvaluation();
    let candidates: number[] = [];
    prefixes.forEach((alternatives, i) => {
      const next: number[] = [];
      for (const word of startingWith(this.sortedNameWords(), alternatives)) {
        for (const n of this.nameWords.get(word) ?? []) {
          if (this.alive[n] === 0) continue;
          if (i === 0) {
            if (this.stamp[n] !== evaluation) {
              this.stamp[n] = evaluation;
              this.matched[n] = 1;
              next.push(n);
            }
          } else if (this.stamp[n] === evaluation && this.matched[n] === i) {
            this.matched[n] = i + 1;
            next.push(n);
          }
        }
      }
      candidates = next;
    });
    return candidates;
  }

  /** Whether some name has a word starting with this prefix. */
  hasNameWordStartingWith(prefix: string): boolean {
    for (const word of startingWith(this.sortedNameWords(), [prefix])) {
      if (this.nameWords.get(word)?.some((n) => this.alive[n] === 1)) return true;
    }
    return false;
  }

  private sortedNameWords(): string[] {
    return (this.sortedNames ??= [...this.nameWords.keys()].sort(compare));
  }

  private sortedFirstWords(): string[] {
    return (this.sortedFirsts ??= [...this.firstWords.keys()].sort(compare));
  }
}

/** The words of a sorted list starting with any of the prefixes, each once. */
function* startingWith(sorted: readonly string[], prefixes: readonly string[]): Generator<string> {
  const seen = new Set<string>();
  for (const prefix of prefixes) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length && sorted[i]!.startsWith(prefix); i++) {
      if (!seen.has(sorted[i]!)) {
        seen.add(sorted[i]!);
        yield sorted[i]!;
      }
    }
  }
}

/** The `limit` docs with the shortest names (then by name, then id), offered one at a time. */
class SelectShortest {
  private readonly best: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly docs: readonly (Doc | undefined)[],
  ) {}
  private before(a: number, b: number): boolean {
    const x = this.docs[a]!;
    const y = this.docs[b]!;
    if (x.name.length !== y.name.length) return x.name.length < y.name.length;
    if (x.name !== y.name) return x.name < y.name;
    return x.id < y.id;
  }
  offer(n: number): void {
    const best = this.best;
    if (this.limit <= 0 || best.includes(n)) return;
    if (best.length === this.limit) {
      if (!this.before(n, best[best.length - 1]!)) return;
      best.pop();
    }
    let i = best.length;
    while (i > 0 && this.before(n, best[i - 1]!)) i--;
    best.splice(i, 0, n);
  }
  result(): number[] {
    return [...this.best];
  }
}

/**
 * A string that holds its own characters: V8 makes a long slice (13 characters and more, e.g. a
 * barcode) a view on the string it was cut from, which would keep every product's whole lexeme list
 * alive as long as one of its words is a key of the index.
 */
function own(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, "utf8").toString("utf8");
}

/** A copy of the counts, at least `length` long. */
function grown(counts: Int32Array, length: number): Int32Array {
  const copy = new Int32Array(Math.max(length, counts.length));
  copy.set(counts);
  return copy;
}

function size(group: { entries: readonly number[] }[]): number {
  return group.reduce((sum, a) => sum + a.entries.length, 0);
}

/** Code-point order (as PostgreSQL's C collation; names compare the same on every instance). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Heap of the best docs kept, the worst on top (`better(a, b)`: a ranks before b). */
function siftUp(heap: number[], i: number, better: (a: number, b: number) => boolean): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!better(heap[parent]!, heap[i]!)) break;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function siftDown(heap: number[], i: number, better: (a: number, b: number) => boolean): void {
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let worst = i;
    if (left < heap.length && better(heap[worst]!, heap[left]!)) worst = left;
    if (right < heap.length && better(heap[worst]!, heap[right]!)) worst = right;
    if (worst === i) return;
    [heap[worst], heap[i]] = [heap[i]!, heap[worst]!];
    i = worst;
  }
}
