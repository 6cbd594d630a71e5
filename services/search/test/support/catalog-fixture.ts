import { randomUUID } from "node:crypto";
import type { EventData } from "@comptoir/contracts";
import type { SearchHarness } from "./harness";

/*
 * A fixed catalog of French and English products, for the relevance suite: categories, products with
 * variants (SKUs, barcodes, options), stock online and at store 2. Fed through search's real handlers
 * as catalog's and inventory's events.
 */

type Product = EventData<"catalog.product.created">;

export interface FixtureVariant {
  sku: string;
  price: number;
  barcode?: string;
  options?: Record<string, string>;
}

export interface FixtureProduct {
  slug: string;
  name: string;
  brand: string | null;
  category: string;
  description?: string;
  variants: FixtureVariant[];
  status?: "draft" | "active" | "archived";
  /** Units available online / at store 2 (first variant). */
  online?: number;
  store2?: number;
}

/** slug → parent slug (null: a root) and name. */
export const CATEGORIES: Record<string, { parent: string | null; name: string }> = {
  mode: { parent: null, name: "Mode" },
  chaussures: { parent: "mode", name: "Chaussures" },
  vetements: { parent: "mode", name: "Vêtements" },
  "t-shirts": { parent: "vetements", name: "T-shirts" },
  robes: { parent: "vetements", name: "Robes" },
  pulls: { parent: "vetements", name: "Pulls" },
  "high-tech": { parent: null, name: "High-Tech" },
  telephones: { parent: "high-tech", name: "Téléphones" },
  televisions: { parent: "high-tech", name: "Télévisions" },
  audio: { parent: "high-tech", name: "Audio" },
  informatique: { parent: "high-tech", name: "Informatique" },
  maison: { parent: null, name: "Maison" },
  cuisine: { parent: "maison", name: "Cuisine" },
  literie: { parent: "maison", name: "Literie" },
  sport: { parent: null, name: "Sport" },
  velos: { parent: "sport", name: "Vélos" },
  fitness: { parent: "sport", name: "Fitness" },
};

export const PRODUCTS: FixtureProduct[] = [
  {
    slug: "chaussure-running-pegasus",
    name: "Chaussure de running Pegasus",
    brand: "Nike",
    category: "chaussures",
    description: "Chaussure légère et amortie pour la course sur route.",
    variants: [
      { sku: "NIKE-PEG-42", price: 12_999, barcode: "3401234567890", options: { pointure: "42" } },
      { sku: "NIKE-PEG-43", price: 12_999, barcode: "3401234567891", options: { pointure: "43" } },
    ],
    online: 5,
    store2: 2,
  },
  {
    slug: "baskets-cuir-blanc",
    name: "Baskets en cuir blanc",
    brand: "Veja",
    category: "chaussures",
    description: "Sneakers écoresponsables en cuir tanné sans chrome.",
    variants: [{ sku: "VEJA-V10-40", price: 14_000, options: { pointure: "40", couleur: "blanc" } }],
    online: 3,
  },
  {
    slug: "trail-running-shoes-speedcross",
    name: "Trail running shoes Speedcross",
    brand: "Salomon",
    category: "chaussures",
    description: "Aggressive grip for muddy trails and soft ground.",
    variants: [{ sku: "SAL-SPX6-44", price: 14_999, options: { size: "44" } }],
    online: 0,
    store2: 1,
  },
  {
    slug: "bottes-de-pluie",
    name: "Bottes de pluie",
    brand: "Aigle",
    category: "chaussures",
    description: "Bottes en caoutchouc naturel, imperméables.",
    variants: [{ sku: "AIG-BOT-39", price: 8_900 }],
    online: 4,
  },
  {
    slug: "sandales-ete",
    name: "Sandales d'été",
    brand: "Birkenstock",
    category: "chaussures",
    description: "Sandales en liège avec deux brides.",
    variants: [{ sku: "BIRK-ARIZ-41", price: 9_500 }],
  },
  {
    slug: "t-shirt-coton-bio",
    name: "T-shirt en coton bio",
    brand: "Patagonia",
    category: "t-shirts",
    description: "T-shirt col rond en coton biologique.",
    variants: [
      { sku: "PAT-TS-S", price: 3_500, options: { taille: "S", couleur: "bleu marine" } },
      { sku: "PAT-TS-M", price: 3_500, options: { taille: "M", couleur: "bleu marine" } },
    ],
    online: 10,
    store2: 4,
  },
  {
    slug: "organic-cotton-tshirt",
    name: "Organic cotton crew neck tee",
    brand: "Petit Bateau",
    category: "t-shirts",
    description: "A soft everyday tee made from organic cotton.",
    variants: [{ sku: "PB-TEE-M", price: 2_900, options: { size: "M", colour: "white" } }],
    online: 7,
  },
  {
    slug: "robe-ete-fleurie",
    name: "Robe d'été fleurie",
    brand: "Sézane",
    category: "robes",
    description: "Robe légère en viscose à motif floral.",
    variants: [{ sku: "SEZ-ROBE-36", price: 11_500, options: { taille: "36" } }],
    online: 2,
  },
  {
    slug: "robe-soiree-soie",
    name: "Robe de soirée en soie",
    brand: "Sézane",
    category: "robes",
    description: "Robe longue en soie, dos nu.",
    variants: [{ sku: "SEZ-SOIE-38", price: 24_500 }],
  },
  {
    slug: "pull-laine-merinos",
    name: "Pull en laine mérinos",
    brand: "Saint James",
    category: "pulls",
    description: "Pull chaud et doux, tricoté en France.",
    variants: [{ sku: "SJ-MER-L", price: 13_900, options: { taille: "L" } }],
    online: 1,
  },
  {
    slug: "iphone-15-pro",
    name: "Apple iPhone 15 Pro",
    brand: "Apple",
    category: "telephones",
    description: "Smartphone avec puce A17 Pro et écran Super Retina de 6,1 pouces.",
    variants: [
      { sku: "APL-IP15P-128", price: 122_900, barcode: "0194253401234", options: { stockage: "128 Go" } },
      { sku: "APL-IP15P-256", price: 135_900, barcode: "0194253401241", options: { stockage: "256 Go" } },
    ],
    online: 6,
    store2: 1,
  },
  {
    slug: "samsung-galaxy-s24",
    name: "Samsung Galaxy S24",
    brand: "Samsung",
    category: "telephones",
    description: "Android smartphone with a 6.2 inch display and a triple camera.",
    variants: [{ sku: "SAM-S24-128", price: 89_900, barcode: "8806095299830" }],
    online: 3,
  },
  {
    slug: "coque-iphone-15",
    name: "Coque pour iPhone 15",
    brand: "Spigen",
    category: "telephones",
    description: "Coque de protection transparente antichoc.",
    variants: [{ sku: "SPG-IP15-CLR", price: 1_999 }],
    online: 20,
  },
  {
    slug: "televiseur-oled-55",
    name: "Téléviseur OLED 55 pouces",
    brand: "LG",
    category: "televisions",
    description: "Télévision 4K avec écran OLED et Dolby Vision.",
    variants: [{ sku: "LG-OLED55-C3", price: 149_900, barcode: "8806084000011" }],
    online: 2,
  },
  {
    slug: "smart-tv-qled-65",
    name: "Smart TV QLED 65 inch",
    brand: "Samsung",
    category: "televisions",
    description: "A 4K television with quantum dot colours.",
    variants: [{ sku: "SAM-Q65", price: 119_900 }],
    online: 1,
  },
  {
    slug: "casque-audio-sans-fil",
    name: "Casque audio sans fil",
    brand: "Sony",
    category: "audio",
    description: "Casque à réduction de bruit active, 30 heures d'autonomie.",
    variants: [{ sku: "SONY-WH1000XM5", price: 37_900, barcode: "4548736132610" }],
    online: 4,
    store2: 3,
  },
  {
    slug: "wireless-headphones-qc",
    name: "Wireless noise cancelling headphones",
    brand: "Bose",
    category: "audio",
    description: "Over-ear headphones with world class noise cancellation.",
    variants: [{ sku: "BOSE-QC45", price: 32_900 }],
    online: 2,
  },
  {
    slug: "enceinte-bluetooth",
    name: "Enceinte Bluetooth portable",
    brand: "JBL",
    category: "audio",
    description: "Enceinte étanche avec basses puissantes.",
    variants: [{ sku: "JBL-FLIP6", price: 12_900 }],
    online: 8,
  },
  {
    slug: "ecran-ordinateur-27",
    name: "Écran d'ordinateur 27 pouces",
    brand: "Dell",
    category: "informatique",
    description: "Moniteur QHD pour le bureau, pied réglable.",
    variants: [{ sku: "DELL-P2723", price: 32_900 }],
    online: 3,
  },
  {
    slug: "clavier-mecanique",
    name: "Clavier mécanique",
    brand: "Logitech",
    category: "informatique",
    description: "Clavier rétroéclairé AZERTY aux touches silencieuses.",
    variants: [{ sku: "LOGI-MX-MECH", price: 16_999 }],
    online: 5,
  },
  {
    slug: "cafetiere-piston",
    name: "Cafetière à piston",
    brand: "Bodum",
    category: "cuisine",
    description: "Cafetière en verre borosilicate, 8 tasses.",
    variants: [{ sku: "BOD-CHAMBORD-8", price: 3_990 }],
    online: 9,
  },
  {
    slug: "machine-espresso",
    name: "Machine à espresso",
    brand: "De'Longhi",
    category: "cuisine",
    description: "Machine à café avec buse vapeur pour le lait.",
    variants: [{ sku: "DEL-DEDICA", price: 24_900 }],
    online: 2,
  },
  {
    slug: "poele-fonte",
    name: "Poêle en fonte",
    brand: "Le Creuset",
    category: "cuisine",
    description: "Poêle en fonte émaillée, tous feux dont induction.",
    variants: [{ sku: "LC-POELE-26", price: 15_900 }],
    online: 1,
  },
  {
    slug: "couteau-de-chef",
    name: "Couteau de chef",
    brand: "Opinel",
    category: "cuisine",
    description: "Lame en acier inoxydable de 20 cm.",
    variants: [{ sku: "OPI-CHEF-20", price: 5_900 }],
    online: 6,
  },
  {
    slug: "chefs-knife-steel",
    name: "Chef's knife stainless steel",
    brand: "Victorinox",
    category: "cuisine",
    description: "A sharp kitchen knife with an ergonomic handle.",
    variants: [{ sku: "VIC-FIBROX-20", price: 4_900 }],
    online: 4,
  },
  {
    slug: "couette-duvet",
    name: "Couette en duvet",
    brand: "Dodo",
    category: "literie",
    description: "Couette chaude en duvet de canard, 240 x 220.",
    variants: [{ sku: "DODO-COU-240", price: 19_900 }],
    online: 2,
  },
  {
    slug: "oreiller-memoire-forme",
    name: "Oreiller à mémoire de forme",
    brand: "Tempur",
    category: "literie",
    description: "Oreiller ergonomique pour les nuques sensibles.",
    variants: [{ sku: "TEMP-ORE-1", price: 8_900 }],
    online: 3,
  },
  {
    slug: "draps-lin-lave",
    name: "Draps en lin lavé",
    brand: "Linge Particulier",
    category: "literie",
    description: "Parure de draps en lin français.",
    variants: [{ sku: "LP-DRAP-LIN", price: 12_000 }],
  },
  {
    slug: "velo-ville-electrique",
    name: "Vélo de ville électrique",
    brand: "Btwin",
    category: "velos",
    description: "Vélo à assistance électrique, autonomie 60 km.",
    variants: [{ sku: "BTW-ELOPS-M", price: 119_900 }],
    online: 1,
    store2: 1,
  },
  {
    slug: "mountain-bike-29",
    name: "Mountain bike 29 inch",
    brand: "Trek",
    category: "velos",
    description: "Hardtail mountain bike with hydraulic disc brakes.",
    variants: [{ sku: "TREK-MARLIN-7", price: 99_900 }],
  },
  {
    slug: "casque-velo",
    name: "Casque de vélo",
    brand: "Btwin",
    category: "velos",
    description: "Casque urbain avec éclairage arrière.",
    variants: [{ sku: "BTW-CASQUE-M", price: 3_999 }],
    online: 5,
  },
  {
    slug: "gourde-isotherme",
    name: "Gourde isotherme",
    brand: "Chilly's",
    category: "fitness",
    description: "Bouteille en inox qui garde l'eau fraîche 24 heures.",
    variants: [{ sku: "CHIL-500", price: 2_500 }],
    online: 12,
  },
  {
    slug: "tapis-de-yoga",
    name: "Tapis de yoga",
    brand: "Manduka",
    category: "fitness",
    description: "Tapis antidérapant de 6 mm.",
    variants: [{ sku: "MAN-PRO-6", price: 9_900 }],
    online: 3,
  },
  {
    slug: "halteres-reglables",
    name: "Haltères réglables",
    brand: "Domyos",
    category: "fitness",
    description: "Paire d'haltères de 2 à 20 kg.",
    variants: [{ sku: "DOM-HALT-20", price: 6_999 }],
    online: 0,
  },
  {
    slug: "chaussure-prototype",
    name: "Chaussure de running prototype",
    brand: "Nike",
    category: "chaussures",
    status: "draft",
    variants: [{ sku: "NIKE-PROTO", price: 19_999 }],
  },
  {
    slug: "ancien-telephone",
    name: "Ancien téléphone à clapet",
    brand: "Nokia",
    category: "telephones",
    status: "archived",
    variants: [{ sku: "NOK-3310", price: 4_900 }],
  },
];

export interface LoadedCatalog {
  categoryIds: Record<string, string>;
  products: Record<string, Product>;
  /** Location ids: the online channel's and store 2's. */
  online: string;
  store2: string;
  store2Id: string;
}

/** Publishes the fixture as catalog and inventory would, and waits until search has handled it all. */
export async function loadCatalog(h: SearchHarness): Promise<LoadedCatalog> {
  const categoryIds = Object.fromEntries(Object.keys(CATEGORIES).map((slug) => [slug, randomUUID()]));
  const loaded: LoadedCatalog = {
    categoryIds,
    products: {},
    online: randomUUID(),
    store2: randomUUID(),
    store2Id: randomUUID(),
  };
  let position = 0;
  for (const [slug, c] of Object.entries(CATEGORIES)) {
    const id = categoryIds[slug]!;
    await h.publish(
      "catalog.category.created",
      {
        id,
        parentId: c.parent ? categoryIds[c.parent]! : null,
        name: c.name,
        slug,
        description: null,
        position: position++,
      },
      id,
    );
  }
  for (const f of PRODUCTS) {
    const product = productOf(f, categoryIds[f.category]!);
    loaded.products[f.slug] = product;
    await h.publish("catalog.product.created", product, product.id);
    const first = product.variants[0]!;
    if (f.online !== undefined)
      await h.publish("inventory.stock.changed", stock(first.id, loaded.online, "online", null, f.online), first.id);
    if (f.store2 !== undefined) {
      await h.publish(
        "inventory.stock.changed",
        stock(first.id, loaded.store2, "store", loaded.store2Id, f.store2),
        first.id,
      );
    }
  }
  await h.settle();
  return loaded;
}

export function productOf(f: FixtureProduct, categoryId: string): Product {
  return {
    id: randomUUID(),
    name: f.name,
    slug: f.slug,
    description: f.description ?? null,
    brand: f.brand,
    categoryId,
    status: f.status ?? "active",
    attributes: {},
    variants: f.variants.map((v) => ({
      id: randomUUID(),
      sku: v.sku,
      options: v.options ?? {},
      price: v.price,
      compareAtPrice: null,
      currency: "EUR",
      barcode: v.barcode ?? null,
    })),
    images: [],
  };
}

export function stock(
  variantId: string,
  locationId: string,
  locationKind: "online" | "store" | "warehouse",
  storeId: string | null,
  available: number,
): EventData<"inventory.stock.changed"> {
  return {
    movementId: randomUUID(),
    variantId,
    locationId,
    locationKind,
    storeId,
    onHand: available,
    reserved: 0,
    available,
    delta: available,
    movementType: "adjustment",
    reason: null,
    reference: null,
    actorId: null,
    lowStockThreshold: null,
  };
}
