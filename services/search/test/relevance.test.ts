import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog, type LoadedCatalog } from "./support/catalog-fixture";
import { type SearchHarness, startSearch } from "./support/harness";

/**
 * The relevance suite: French and English queries over the fixed catalog (support/catalog-fixture.ts,
 * fed through the real event handlers) and what must come first. `first`: the first result (or one of
 * these); `top`: these, in any order, are the first results; `none`: nothing is found.
 */
interface Case {
  q: string;
  why: string;
  first?: string | string[];
  top?: string[];
  none?: true;
  code?: string;
}

const CASES: Case[] = [
  // Accents and case
  { q: "ecran", why: "no accent finds Écran", first: "ecran-ordinateur-27" },
  { q: "ÉCRAN", why: "capitals and accent", first: "ecran-ordinateur-27" },
  { q: "velo electrique", why: "two unaccented words", first: "velo-ville-electrique" },
  { q: "poele", why: "ê and unaccented", first: "poele-fonte" },
  { q: "cafetiere", why: "è unaccented", first: "cafetiere-piston" },
  { q: "halteres", why: "è, plural", first: "halteres-reglables" },
  { q: "pull merinos", why: "é unaccented in a second word", first: "pull-laine-merinos" },
  { q: "Sezane", why: "a brand without its accent", top: ["robe-ete-fleurie", "robe-soiree-soie"] },
  {
    q: "telephone",
    why: "a category name, singular, unaccented",
    top: ["iphone-15-pro", "samsung-galaxy-s24", "coque-iphone-15"],
  },
  // Plurals and stemming
  { q: "chaussures", why: "French plural finds the singular name first", first: "chaussure-running-pegasus" },
  { q: "robes", why: "French plural", top: ["robe-ete-fleurie", "robe-soiree-soie"] },
  { q: "bottes", why: "plural as named", first: "bottes-de-pluie" },
  { q: "sandale", why: "singular finds the plural", first: "sandales-ete" },
  { q: "oreillers", why: "plural finds the singular", first: "oreiller-memoire-forme" },
  { q: "couteaux", why: "French -aux plural", first: "couteau-de-chef" },
  { q: "headphone", why: "English singular finds the plural", first: "wireless-headphones-qc" },
  { q: "bikes", why: "English plural", first: "mountain-bike-29" },
  { q: "running shoes", why: "English words", first: "trail-running-shoes-speedcross" },
  { q: "television", why: "both languages' TVs", top: ["televiseur-oled-55", "smart-tv-qled-65"] },
  // Typos
  { q: "chausure", why: "a letter missing", first: "chaussure-running-pegasus" },
  { q: "televison", why: "a letter missing, both TVs", top: ["televiseur-oled-55", "smart-tv-qled-65"] },
  { q: "iphnoe pro", why: "two letters swapped", first: "iphone-15-pro" },
  { q: "iphnoe", why: "two letters swapped, both iPhone products", top: ["iphone-15-pro", "coque-iphone-15"] },
  { q: "cafetiere pistn", why: "a typo in the second word", first: "cafetiere-piston" },
  { q: "clavier mecanqiue", why: "swapped letters", first: "clavier-mecanique" },
  { q: "enceinet bluetooth", why: "swapped letters in the first word", first: "enceinte-bluetooth" },
  { q: "sansung", why: "a wrong letter in a brand", top: ["samsung-galaxy-s24", "smart-tv-qled-65"] },
  { q: "headphnes", why: "an English typo", first: "wireless-headphones-qc" },
  // SKU and barcode
  { q: "NIKE-PEG-42", why: "an exact SKU", first: "chaussure-running-pegasus", code: "NIKE-PEG-42" },
  { q: "nike-peg-43", why: "a SKU in lower case", first: "chaussure-running-pegasus", code: "NIKE-PEG-43" },
  { q: "3401234567890", why: "a barcode (a scan)", first: "chaussure-running-pegasus", code: "3401234567890" },
  { q: "0194253401241", why: "the second variant's barcode", first: "iphone-15-pro", code: "0194253401241" },
  { q: " APL-IP15P-128 ", why: "a SKU with spaces around", first: "iphone-15-pro", code: "APL-IP15P-128" },
  { q: "SONY-WH1000XM5", why: "a SKU of letters and digits", first: "casque-audio-sans-fil", code: "SONY-WH1000XM5" },
  // Brands
  { q: "Le Creuset", why: "a two-word brand", first: "poele-fonte" },
  { q: "apple", why: "a brand", first: "iphone-15-pro" },
  { q: "De'Longhi", why: "a brand with an apostrophe", first: "machine-espresso" },
  { q: "btwin", why: "a brand of two products", top: ["velo-ville-electrique", "casque-velo"] },
  // Several words
  { q: "casque velo", why: "the bike helmet, not the headphones", first: "casque-velo" },
  { q: "casque audio", why: "the headphones, not the helmet", first: "casque-audio-sans-fil" },
  { q: "robe soie", why: "two words of one product", first: "robe-soiree-soie" },
  { q: "coque iphone", why: "the case before the phone", first: "coque-iphone-15" },
  { q: "t-shirt bio", why: "a hyphenated word", first: "t-shirt-coton-bio" },
  { q: "organic cotton", why: "English words", first: "organic-cotton-tshirt" },
  { q: "noise cancelling", why: "English, name before description", first: "wireless-headphones-qc" },
  { q: "réduction de bruit", why: "French, with a stop word", first: "casque-audio-sans-fil" },
  { q: "machine a cafe", why: "French, a one-letter stop word, a description word", first: "machine-espresso" },
  { q: "stainless steel knife", why: "English three words", first: "chefs-knife-steel" },
  { q: "quantum dot", why: "description words only", first: "smart-tv-qled-65" },
  { q: "literie", why: "a category name", top: ["couette-duvet", "oreiller-memoire-forme", "draps-lin-lave"] },
  // What is never found
  { q: "prototype", why: "a draft product", none: true },
  { q: "clapet", why: "an archived product", none: true },
  { q: "xylophone", why: "nothing like it", none: true },
];

describe("the relevance suite", () => {
  let h: SearchHarness;
  let catalog: LoadedCatalog;

  beforeAll(async () => {
    h = await startSearch("relevance");
    catalog = await loadCatalog(h);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("holds at least 40 queries", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(catalog.products["iphone-15-pro"]).toBeDefined();
  });

  it.each(CASES)("$q ($why)", async (c) => {
    const res = await h.search.anonymous.get(`/api/search/products?q=${encodeURIComponent(c.q)}&limit=10`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const slugs: string[] = res.body.data.map((hit: { slug: string }) => hit.slug);
    if (c.none) {
      expect(slugs).toEqual([]);
      return;
    }
    if (c.first) {
      const firsts = Array.isArray(c.first) ? c.first : [c.first];
      expect(firsts, `results: ${slugs.join(", ")}`).toContain(slugs[0]);
    }
    if (c.top) expect(slugs.slice(0, c.top.length).sort(), `results: ${slugs.join(", ")}`).toEqual([...c.top].sort());
    if (c.code) expect(res.body.data[0].matchedCode).toBe(c.code);
  });
});
