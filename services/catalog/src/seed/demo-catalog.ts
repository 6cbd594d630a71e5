import type { VatRateValue } from "@comptoir/contracts";
import type { Outbox } from "@comptoir/events";
import { type Db, newId, type Tx, withTx } from "@comptoir/platform";
import * as categoriesRepo from "../db/categories.repo";
import { skusTaken } from "../db/products.repo";
import * as seedRepo from "../db/seed.repo";
import { decoder, storeImage } from "../images/image-store";
import { snapshotOf } from "../model/category";
import { createProductInTx, type NewVariantInput } from "../domain/products.use-cases";

/**
 * The demo catalog of SPEC §6: a three-level category tree (univers › rayon › famille), 63
 * products and 156 variants with French retail names, EUR prices in cents, EAN-13 barcodes, VAT
 * rates (the grocery's 5.5 %, 20 % elsewhere) and one generated image each. Seeded once per database: instances starting together serialise on an
 * advisory lock, and a marker row tells the later ones (and every restart) that it is done.
 */
export interface DemoCatalogDeps {
  db: Db;
  outbox: Outbox;
  imagesDir: string;
}

export interface DemoSeedResult {
  created: boolean;
  categories: number;
  products: number;
  variants: number;
}

const MARKER = "demo-catalog";
const LOCK = "catalog.demo-catalog";

type Kind = "femme" | "homme" | "colour" | "format";
/** [name, brand, price in cents] */
type DemoProduct = [string, string, number];
interface Leaf {
  name: string;
  slug: string;
  code: string;
  kind: Kind;
  attributes: Record<string, string>;
  products: DemoProduct[];
}
interface Branch {
  name: string;
  slug: string;
  leaves: Leaf[];
}
interface Universe {
  name: string;
  slug: string;
  colour: string;
  /** The VAT rate of its products (French rates: food 5.5 %, everything else here 20 %). */
  vatRate: VatRateValue;
  branches: Branch[];
}

const clothes = { entretien: "lavage à 30 °C", origine: "Portugal" };
const home = { origine: "France" };
const food = { origine: "France", conservation: "à l'abri de la chaleur" };

const TREE: Universe[] = [
  {
    name: "Mode",
    slug: "mode",
    vatRate: 2000,
    colour: "#7b3f61",
    branches: [
      {
        name: "Femme",
        slug: "femme",
        leaves: [
          {
            name: "Robes",
            slug: "femme-robes",
            code: "ROB",
            kind: "femme",
            attributes: { ...clothes, matière: "lin" },
            products: [
              ["Robe portefeuille en lin", "Atelier Garance", 8900],
              ["Robe chemise rayée", "Maison Lou", 6900],
              ["Robe longue fleurie", "Atelier Garance", 7500],
            ],
          },
          {
            name: "Hauts & T-shirts",
            slug: "femme-hauts-t-shirts",
            code: "HAU",
            kind: "femme",
            attributes: { ...clothes, matière: "coton biologique" },
            products: [
              ["T-shirt col rond en coton bio", "Les Tisserands", 1990],
              ["Blouse brodée", "Maison Lou", 4500],
              ["Marinière manches longues", "Les Tisserands", 3900],
            ],
          },
          {
            name: "Pulls & gilets",
            slug: "femme-pulls-gilets",
            code: "PUL",
            kind: "femme",
            attributes: { ...clothes, entretien: "lavage à la main" },
            products: [
              ["Pull en laine mérinos", "Brin d'Olive", 7900],
              ["Gilet maille torsadée", "Brin d'Olive", 6500],
              ["Pull col roulé en cachemire", "Atelier Garance", 12900],
            ],
          },
        ],
      },
      {
        name: "Homme",
        slug: "homme",
        leaves: [
          {
            name: "Chemises",
            slug: "homme-chemises",
            code: "CHE",
            kind: "homme",
            attributes: { ...clothes, matière: "coton" },
            products: [
              ["Chemise Oxford", "Le Filateur", 4900],
              ["Chemise en lin", "Le Filateur", 5500],
              ["Chemise à carreaux en flanelle", "Bastide", 4500],
            ],
          },
          {
            name: "Pantalons & jeans",
            slug: "homme-pantalons-jeans",
            code: "PAN",
            kind: "homme",
            attributes: clothes,
            products: [
              ["Jean droit brut", "Bastide", 6900],
              ["Chino en coton stretch", "Le Filateur", 5900],
              ["Pantalon en velours côtelé", "Bastide", 6500],
            ],
          },
        ],
      },
      {
        name: "Accessoires",
        slug: "accessoires",
        leaves: [
          {
            name: "Sacs",
            slug: "accessoires-sacs",
            code: "SAC",
            kind: "colour",
            attributes: { origine: "France" },
            products: [
              ["Cabas en toile", "Maison Lou", 3500],
              ["Sac bandoulière en cuir", "Sellier d'Arles", 11900],
              ["Tote bag imprimé", "Les Tisserands", 1500],
            ],
          },
          {
            name: "Écharpes & foulards",
            slug: "accessoires-echarpes-foulards",
            code: "ECH",
            kind: "colour",
            attributes: { origine: "France" },
            products: [
              ["Écharpe en laine", "Brin d'Olive", 3900],
              ["Foulard en soie", "Sellier d'Arles", 4900],
              ["Snood tricoté", "Brin d'Olive", 2500],
            ],
          },
        ],
      },
    ],
  },
  {
    name: "Maison",
    slug: "maison",
    vatRate: 2000,
    colour: "#2f6f73",
    branches: [
      {
        name: "Cuisine",
        slug: "cuisine",
        leaves: [
          {
            name: "Ustensiles",
            slug: "cuisine-ustensiles",
            code: "UST",
            kind: "colour",
            attributes: home,
            products: [
              ["Cocotte en fonte 24 cm", "Fonderie Vosgienne", 8900],
              ["Poêle en inox 28 cm", "Fonderie Vosgienne", 4900],
              ["Planche à découper en chêne", "Bois & Cie", 2900],
            ],
          },
          {
            name: "Arts de la table",
            slug: "cuisine-arts-de-la-table",
            code: "TAB",
            kind: "colour",
            attributes: home,
            products: [
              ["Assiette plate en grès", "Poterie du Lubéron", 1200],
              ["Carafe en verre soufflé", "Verrerie de Biot", 2400],
              ["Lot de 6 verres à vin", "Verrerie de Biot", 2900],
            ],
          },
        ],
      },
      {
        name: "Linge de maison",
        slug: "linge-de-maison",
        leaves: [
          {
            name: "Linge de lit",
            slug: "linge-de-lit",
            code: "LIT",
            kind: "colour",
            attributes: home,
            products: [
              ["Parure de lit en lin lavé", "Les Tisserands", 12900],
              ["Drap housse en percale", "Les Tisserands", 3900],
              ["Couette tempérée", "Plume de Loire", 7900],
            ],
          },
          {
            name: "Linge de bain",
            slug: "linge-de-bain",
            code: "BAI",
            kind: "colour",
            attributes: home,
            products: [
              ["Serviette de bain nid d'abeille", "Les Tisserands", 1900],
              ["Drap de bain en coton", "Plume de Loire", 2900],
              ["Peignoir en éponge", "Plume de Loire", 4900],
            ],
          },
        ],
      },
      {
        name: "Décoration",
        slug: "decoration",
        leaves: [
          {
            name: "Bougies & senteurs",
            slug: "decoration-bougies-senteurs",
            code: "BOU",
            kind: "colour",
            attributes: home,
            products: [
              ["Bougie parfumée au figuier", "Cirerie de Provence", 2500],
              ["Bougie en cire de soja", "Cirerie de Provence", 1900],
              ["Photophore en verre", "Verrerie de Biot", 1500],
            ],
          },
          {
            name: "Coussins & plaids",
            slug: "decoration-coussins-plaids",
            code: "COU",
            kind: "colour",
            attributes: home,
            products: [
              ["Coussin en velours", "Maison Lou", 2900],
              ["Housse de coussin en lin", "Les Tisserands", 1900],
              ["Plaid en laine", "Brin d'Olive", 5900],
            ],
          },
        ],
      },
    ],
  },
  {
    name: "Épicerie",
    slug: "epicerie",
    vatRate: 550,
    colour: "#a8652a",
    branches: [
      {
        name: "Épicerie salée",
        slug: "epicerie-salee",
        leaves: [
          {
            name: "Pâtes & riz",
            slug: "pates-riz",
            code: "PAT",
            kind: "format",
            attributes: food,
            products: [
              ["Spaghetti de blé dur 500 g", "Moulin de Provence", 249],
              ["Riz de Camargue 1 kg", "Rizière d'Arles", 399],
              ["Coquillettes bio 500 g", "Moulin de Provence", 219],
            ],
          },
          {
            name: "Conserves",
            slug: "conserves",
            code: "CON",
            kind: "format",
            attributes: food,
            products: [
              ["Sardines à l'huile d'olive", "Conserverie de Quiberon", 450],
              ["Cassoulet de Castelnaudary", "Maison Fabre", 799],
              ["Rillettes du Mans", "Maison Fabre", 599],
            ],
          },
          {
            name: "Huiles & vinaigres",
            slug: "huiles-vinaigres",
            code: "HUI",
            kind: "format",
            attributes: food,
            products: [
              ["Huile d'olive vierge extra 75 cl", "Moulin de Provence", 1290],
              ["Vinaigre de cidre 50 cl", "Cidrerie du Pays d'Auge", 349],
              ["Huile de noix 50 cl", "Huilerie du Périgord", 890],
            ],
          },
        ],
      },
      {
        name: "Épicerie sucrée",
        slug: "epicerie-sucree",
        leaves: [
          {
            name: "Confitures & miels",
            slug: "confitures-miels",
            code: "CNF",
            kind: "format",
            attributes: food,
            products: [
              ["Confiture de fraises 370 g", "Les Vergers de Sologne", 490],
              ["Miel de lavande 250 g", "Rucher des Alpilles", 990],
              ["Confiture d'abricots 370 g", "Les Vergers de Sologne", 490],
            ],
          },
          {
            name: "Biscuits",
            slug: "biscuits",
            code: "BIS",
            kind: "format",
            attributes: food,
            products: [
              ["Galettes pur beurre", "Biscuiterie de Pont-Aven", 350],
              ["Palets bretons", "Biscuiterie de Pont-Aven", 390],
              ["Sablés au citron", "Maison Fabre", 420],
            ],
          },
          {
            name: "Chocolats",
            slug: "chocolats",
            code: "CHO",
            kind: "format",
            attributes: food,
            products: [
              ["Tablette chocolat noir 70 %", "Chocolaterie Bayonnaise", 299],
              ["Pâte à tartiner noisette", "Chocolaterie Bayonnaise", 590],
              ["Chocolat au lait praliné", "Chocolaterie Bayonnaise", 320],
            ],
          },
        ],
      },
      {
        name: "Boissons chaudes",
        slug: "boissons-chaudes",
        leaves: [
          {
            name: "Cafés",
            slug: "cafes",
            code: "CAF",
            kind: "format",
            attributes: food,
            products: [
              ["Café en grains Éthiopie 250 g", "Brûlerie du Marais", 1190],
              ["Café moulu pur arabica 250 g", "Brûlerie du Marais", 690],
              ["Capsules espresso intense x10", "Brûlerie du Marais", 450],
            ],
          },
          {
            name: "Thés & infusions",
            slug: "thes-infusions",
            code: "THE",
            kind: "format",
            attributes: food,
            products: [
              ["Thé vert sencha 100 g", "Comptoir des Thés", 790],
              ["Infusion verveine 20 sachets", "Herboristerie d'Uzès", 450],
              ["Thé noir Earl Grey 100 g", "Comptoir des Thés", 690],
            ],
          },
        ],
      },
    ],
  },
];

const COLOURS = [
  ["naturel", "noir"],
  ["bleu marine", "terracotta"],
  ["vert sauge", "écru"],
  ["gris anthracite", "moutarde"],
];

/** A valid EAN-13 with the French GS1 prefix 376, unique per (product, variant). */
export function demoBarcode(n: number): string {
  const body = `376${String(n).padStart(9, "0")}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return body + ((10 - (sum % 10)) % 10);
}

function variantsOf(leaf: Leaf, index: number, price: number, barcodeBase: number): NewVariantInput[] {
  const sku = (suffix: string) => `${leaf.code}-${String(index + 1).padStart(2, "0")}-${suffix}`;
  let variants: Omit<NewVariantInput, "barcode">[];
  switch (leaf.kind) {
    case "femme":
    case "homme":
      variants = (leaf.kind === "femme" ? ["XS", "S", "M", "L"] : ["S", "M", "L", "XL"]).map((taille) => ({
        sku: sku(taille),
        options: { taille },
        price,
      }));
      break;
    case "colour":
      variants = COLOURS[index % COLOURS.length]!.map((couleur) => ({
        sku: sku(
          couleur
            .normalize("NFKD")
            .replace(/[^A-Za-z]/g, "")
            .slice(0, 3)
            .toUpperCase(),
        ),
        options: { couleur },
        price,
      }));
      break;
    case "format":
      variants = [
        { sku: sku("U"), options: { conditionnement: "à l'unité" }, price },
        { sku: sku("L3"), options: { conditionnement: "lot de 3" }, price: Math.round((price * 2.7) / 10) * 10 },
      ];
      break;
  }
  return variants.map((v, i) => ({ ...v, barcode: demoBarcode(barcodeBase + i) }));
}

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);

/** Splits a name into lines of about `width` characters, at spaces. */
function lines(text: string, width: number): string[] {
  const out: string[] = [];
  for (const word of text.split(" ")) {
    const last = out.at(-1);
    if (last !== undefined && last.length + word.length + 1 <= width) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out;
}

/** A coloured square with the product's name and brand, drawn locally (no download). */
export async function demoImage(name: string, brand: string, colour: string): Promise<Buffer> {
  const text = lines(name, 16);
  const top = 400 - ((text.length - 1) * 70) / 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800">
  <rect width="800" height="800" fill="${colour}"/>
  <rect x="40" y="40" width="720" height="720" fill="none" stroke="#ffffff" stroke-opacity="0.5" stroke-width="4"/>
  ${text
    .map(
      (line, i) =>
        `<text x="400" y="${top + i * 70}" font-family="DejaVu Sans, sans-serif" font-size="58" font-weight="bold" fill="#ffffff" text-anchor="middle">${escapeXml(line)}</text>`,
    )
    .join("\n  ")}
  <text x="400" y="700" font-family="DejaVu Sans, sans-serif" font-size="34" fill="#ffffff" fill-opacity="0.85" text-anchor="middle">${escapeXml(brand)}</text>
</svg>`;
  return decoder(Buffer.from(svg)).png().toBuffer();
}

async function ensureCategory(
  tx: Tx,
  outbox: Outbox,
  node: { name: string; slug: string },
  parentId: string | null,
  position: number,
): Promise<{ id: string; created: boolean }> {
  const existing = await seedRepo.categoryIdBySlug(tx, node.slug);
  if (existing) return { id: existing, created: false };
  const category = await categoriesRepo.insertCategory(tx, {
    id: newId(),
    parentId,
    name: node.name,
    slug: node.slug,
    description: null,
    position,
  });
  await outbox.publish(tx, { type: "catalog.category.created", subject: category.id, data: snapshotOf(category) });
  return { id: category.id, created: true };
}

export async function seedDemoCatalog(deps: DemoCatalogDeps): Promise<DemoSeedResult> {
  return withTx(deps.db, async (tx) => {
    await seedRepo.lockNamed(tx, LOCK);
    const result: DemoSeedResult = { created: false, categories: 0, products: 0, variants: 0 };
    if (await seedRepo.markerExists(tx, MARKER)) return result;

    // The tree first, and the plan of every product to create.
    interface Planned {
      categoryId: string;
      leaf: Leaf;
      universe: Universe;
      name: string;
      brand: string;
      variants: NewVariantInput[];
      productId: string;
      imageId: string;
    }
    const plan: Planned[] = [];
    let barcode = 1;
    for (const [u, universe] of TREE.entries()) {
      const root = await ensureCategory(tx, deps.outbox, universe, null, u);
      result.categories += root.created ? 1 : 0;
      for (const [b, branch] of universe.branches.entries()) {
        const mid = await ensureCategory(tx, deps.outbox, branch, root.id, b);
        result.categories += mid.created ? 1 : 0;
        for (const [l, leaf] of branch.leaves.entries()) {
          const category = await ensureCategory(tx, deps.outbox, leaf, mid.id, l);
          result.categories += category.created ? 1 : 0;
          for (const [p, [name, brand, price]] of leaf.products.entries()) {
            const variants = variantsOf(leaf, p, price, barcode);
            barcode += variants.length;
            // A product already there (created by hand before the demo was enabled) is left alone.
            const clash = await skusTaken(
              tx,
              variants.map((v) => v.sku),
            );
            if (clash.length > 0) continue;
            // Every fifth product is on sale: its first variant shows a crossed-out price.
            if ((plan.length + 1) % 5 === 0) {
              variants[0]!.compareAtPrice = Math.round((variants[0]!.price * 1.25) / 10) * 10;
            }
            plan.push({
              categoryId: category.id,
              leaf,
              universe,
              name,
              brand,
              variants,
              productId: newId(),
              imageId: newId(),
            });
          }
        }
      }
    }

    // Images, a few at a time (sharp works on libuv's thread pool).
    const sizes = new Map<string, { width: number; height: number }>();
    for (let i = 0; i < plan.length; i += 4) {
      await Promise.all(
        plan.slice(i, i + 4).map(async (item) => {
          const png = await demoImage(item.name, item.brand, item.universe.colour);
          sizes.set(item.productId, await storeImage(deps.imagesDir, item.productId, item.imageId, png));
        }),
      );
    }

    for (const item of plan) {
      const size = sizes.get(item.productId)!;
      await createProductInTx(
        tx,
        deps.outbox,
        {
          categoryId: item.categoryId,
          name: item.name,
          brand: item.brand,
          description: `${item.name}, ${item.brand}. ${item.leaf.name} — ${item.universe.name}.`,
          attributes: item.leaf.attributes,
          status: "active",
          vatRate: item.universe.vatRate,
          variants: item.variants,
        },
        {
          id: item.productId,
          images: [{ id: item.imageId, alt: item.name, width: size.width, height: size.height }],
          demo: true,
        },
      );
      result.products += 1;
      result.variants += item.variants.length;
    }
    await seedRepo.insertMarker(tx, MARKER);
    result.created = true;
    return result;
  });
}
