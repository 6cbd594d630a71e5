import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { createComptoirClient, unwrap } from "@comptoir/client";
import { DEMO_STORES } from "@comptoir/contracts";
import { hasChromium, launch, Visitor } from "./support/browser";
import { bootPlatform, shutdown, waitForProduct, type WebPlatform } from "./support/platform";

/**
 * The back office in a real Chromium against the whole platform. An admin searches the products,
 * creates one with a variant and an image (previewed before it is sent), changes its price and reads the
 * price history; the product then shows up in search. A clerk of store 1 asks the central warehouse for
 * stock; the manager approves it in the screens, the saga's steps are shown, the stock reaches the store
 * (through the API and on the stock screens), the manager sets a threshold and records a breakage (an open
 * low-stock alert follows), reads the ledger and rejects another request with a reason. On a phone, a
 * customer is turned away; the admin moves stock from the warehouse to store 2 and reverses it, then reads
 * it in English. Every screen is checked with axe-core; any console error or failed request fails the test.
 */

const PASSWORD = "comptoir-demo";
const ADMIN = { email: "admin@demo.comptoir.dev", password: PASSWORD };
const MANAGER = { email: "manager@demo.comptoir.dev", password: PASSWORD };
const CLERK = { email: "clerk@demo.comptoir.dev", password: PASSWORD };
const CUSTOMER = { email: "customer@demo.comptoir.dev", password: PASSWORD };
const [STORE_1, STORE_2] = DEMO_STORES;

const runIt = hasChromium() || process.env.CI !== undefined;
if (!runIt) console.warn("test/web skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)");

let web: WebPlatform | undefined;
let browser: Browser | undefined;

const euros = (cents: number) =>
  new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(cents / 100);

/** A signed-in API client. */
async function as(who: { email: string; password: string }) {
  const api = createComptoirClient({ baseUrl: web!.base });
  return api.withToken(unwrap(await api.identity.POST("/api/identity/login", { body: who })).token);
}

/** A level of the central warehouse with enough stock to move some (the `n`-th such, so tests do not share it). */
async function centralLevel(n: number) {
  const admin = await as(ADMIN);
  const central = unwrap(await admin.inventory.GET("/api/inventory/locations")).data.find((l) => l.kind === "central")!;
  const levels = unwrap(
    await admin.inventory.GET("/api/inventory/stock", { params: { query: { locationId: central.id, limit: 100 } } }),
  );
  const level = ("data" in levels ? levels.data : [levels]).filter((l) => l.available >= 10)[n];
  expect(level).toBeDefined();
  return level!;
}

/** The units of a variant at a location (0 where it never was). */
async function onHand(locationId: string, variantId: string): Promise<number> {
  const admin = await as(ADMIN);
  const levels = unwrap(
    await admin.inventory.GET("/api/inventory/stock", { params: { query: { variantId, limit: 200 } } }),
  );
  return ("data" in levels ? levels.data : [levels]).find((l) => l.locationId === locationId)?.onHand ?? 0;
}

describe.runIf(runIt)("the back office in Chromium", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    const started = Date.now();
    [web, browser] = await Promise.all([bootPlatform(), launch()]);
    await waitForProduct(web.base, "Chemise en lin");
    console.log(`platform and Chromium ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shutdown(web)).toEqual([]);
  }, 60_000);

  it("an admin creates a product with its image, reprices it, and finds it in search", async () => {
    const suffix = randomUUID().slice(0, 8);
    const name = `Tablier brodé ${suffix}`;
    const sku = `BO-${suffix}`.toUpperCase();
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 190, g: 90, b: 40 } } })
      .png()
      .toBuffer();

    const visitor = await Visitor.open(browser!, web!.base, "admin-catalog");
    const { page } = visitor;
    try {
      await visitor.step("sign in", async () => {
        await page.goto("/backoffice");
        await page.getByRole("heading", { level: 1, name: "Back-office" }).waitFor();
        await page.getByLabel("Adresse e-mail").fill(ADMIN.email);
        await page.getByLabel("Mot de passe").fill(ADMIN.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByText("Choisissez une rubrique.").waitFor();
        const nav = page.getByRole("navigation", { name: "Back-office" });
        for (const section of ["Catalogue", "Stocks", "Réapprovisionnement"]) {
          await nav.getByRole("link", { name: section, exact: true }).waitFor();
        }
      });

      await visitor.step("products", async () => {
        await page.getByRole("navigation", { name: "Back-office" }).getByRole("link", { name: "Catalogue" }).click();
        await page.getByRole("heading", { level: 1, name: "Produits" }).waitFor();
        await page.getByText(/^\d+ produit\(s\)$/).waitFor();
        // Focus went to the new screen.
        expect(await page.evaluate("document.activeElement?.id")).toBe("main");
      });

      await visitor.step("products searched", async () => {
        await page.getByLabel("Nom du produit").fill("chemise");
        await page.getByRole("button", { name: "Rechercher" }).click();
        await page.getByRole("link", { name: "Chemise en lin" }).waitFor();
        await page.waitForURL(/q=chemise/);
      });

      await visitor.step("new product, image previewed", async () => {
        await page.getByRole("link", { name: "Nouveau produit" }).click();
        await page.getByRole("heading", { level: 1, name: "Nouveau produit" }).waitFor();
        await page.getByLabel("Nom", { exact: true }).fill(name);
        await page.getByLabel("Marque").fill("Atelier Comptoir");
        const category = page.getByLabel("Rayon");
        await category.locator("option").nth(1).waitFor({ state: "attached" });
        await category.selectOption({ index: 1 });
        await page.getByLabel("Statut").selectOption({ label: "En vente" });
        await page.getByLabel("Description").fill("Un tablier de cuisine en coton, brodé à la main.");
        await page.getByLabel("Caractéristiques").fill("Matière : coton");
        await page.getByLabel("SKU").fill(sku);
        await page.getByLabel("Prix TTC (€)").fill("24,90");
        await page.getByLabel("Options (taille, couleur…)").fill("Taille : unique");
        await page
          .getByLabel("Fichier image")
          .setInputFiles({ name: "tablier.png", mimeType: "image/png", buffer: png });
        await page.getByRole("img", { name: "Aperçu de tablier.png" }).waitFor();
        await page.getByLabel("Texte alternatif de l'image").fill("Le tablier brodé, vu de face");
      });

      await visitor.step("product created", async () => {
        await page.getByRole("button", { name: "Créer le produit" }).click();
        await page.getByRole("heading", { level: 1, name }).waitFor();
        await page.getByRole("status").filter({ hasText: "Produit créé." }).waitFor();
        await page.getByRole("img", { name: "Le tablier brodé, vu de face" }).waitFor();
        await page.getByRole("heading", { level: 3, name: new RegExp(sku) }).waitFor();
      });

      await visitor.step("price changed, history", async () => {
        await page.getByLabel(`Nouveau prix TTC de ${sku} (€)`).fill("22,50");
        await page.getByRole("button", { name: "Changer le prix" }).click();
        await page.getByRole("status").filter({ hasText: "Prix changé" }).waitFor();
        await page.getByText(`Prix : ${euros(2250)}`).waitFor();
        await page.getByText("Historique des prix").click();
        const row = page.getByRole("row").filter({ hasText: euros(2490) });
        await row.filter({ hasText: euros(2250) }).waitFor();
      });

      // The product reaches search through catalog's events.
      const api = createComptoirClient({ baseUrl: web!.base });
      await expect
        .poll(
          async () =>
            unwrap(await api.search.GET("/api/search/products", { params: { query: { q: name, limit: 5 } } })).data.map(
              (hit) => hit.name,
            ),
          { timeout: 60_000, interval: 500 },
        )
        .toContain(name);

      await visitor.step("found in the shop's search", async () => {
        await page.goto(`/search?q=${encodeURIComponent(name)}`);
        await page
          .getByRole("link", { name: new RegExp(name) })
          .first()
          .waitFor();
      });

      const product = unwrap(
        await (await as(ADMIN)).catalog.GET("/api/catalog/products", { params: { query: { q: name } } }),
      ).data[0]!;
      expect(product.status).toBe("active");
      expect(product.images).toHaveLength(1);
      expect(product.images[0]!.alt).toBe("Le tablier brodé, vu de face");
      expect(product.variants[0]!.price).toBe(2250);
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });

  it("a clerk asks for stock for their store; the manager approves it and the stock arrives", async () => {
    const pick = await centralLevel(1);
    const storeLevel = () => onHand(STORE_1.locationId, pick.variantId);
    const before = await storeLevel();
    const note = `Vitrine ${randomUUID().slice(0, 6)}`;

    const visitor = await Visitor.open(browser!, web!.base, "clerk-manager-replenishment");
    const { page } = visitor;
    const signIn = async (who: { email: string; password: string }) => {
      await page.getByLabel("Adresse e-mail").fill(who.email);
      await page.getByLabel("Mot de passe").fill(who.password);
      await page.getByRole("button", { name: "Se connecter" }).click();
    };
    let requestId = "";
    const row = page.getByRole("row").filter({ hasText: pick.sku });
    try {
      await visitor.step("clerk signs in", async () => {
        await page.goto("/backoffice/replenishment");
        await signIn(CLERK);
        await page.getByRole("heading", { level: 1, name: "Demandes de réapprovisionnement" }).waitFor();
        // A clerk has no catalogue to edit.
        const nav = page.getByRole("navigation", { name: "Back-office" });
        await nav.getByRole("link", { name: "Stocks" }).waitFor();
        expect(await nav.getByRole("link", { name: "Catalogue" }).count()).toBe(0);
      });

      await visitor.step("clerk asks for stock", async () => {
        await page.getByRole("link", { name: "Demander du stock" }).click();
        await page.getByRole("heading", { level: 1, name: "Demander du stock à l'entrepôt" }).waitFor();
        await expect.poll(() => page.getByLabel("Magasin").inputValue()).toBe(STORE_1.locationId);
        await page.getByLabel("SKU ou code-barres (ligne 1)").fill(pick.sku);
        await page.getByLabel("Quantité (ligne 1)").fill("3");
        await page.getByLabel("Note").fill(note);
        await page.getByRole("button", { name: "Envoyer la demande" }).click();
        await page.getByRole("heading", { level: 1, name: `Réapprovisionnement de ${STORE_1.name}` }).waitFor();
        await page.getByRole("status").filter({ hasText: "Demande envoyée." }).waitFor();
        await page.getByText("En attente de la décision d'un responsable.").waitFor();
        await page.getByRole("row").filter({ hasText: pick.sku }).filter({ hasText: "3" }).waitFor();
        expect(await page.getByRole("button", { name: "Approuver et transférer" }).count()).toBe(0);
        requestId = page.url().split("/").pop()!;
      });

      await visitor.step("manager signs in", async () => {
        await page.getByRole("button", { name: "Se déconnecter" }).click();
        await signIn(MANAGER);
        await page.getByRole("heading", { level: 1, name: `Réapprovisionnement de ${STORE_1.name}` }).waitFor();
        await page.getByRole("link", { name: "← Toutes les demandes" }).click();
        await page.getByRole("heading", { level: 1, name: "Demandes de réapprovisionnement" }).waitFor();
        await page.getByLabel("Statut").selectOption({ label: "En attente" });
        await page.getByRole("row").filter({ hasText: note }).getByRole("link").click();
      });

      await visitor.step("manager approves", async () => {
        await page.getByRole("button", { name: "Approuver et transférer" }).click();
        await page.getByText("Livrée : le stock a été transféré au magasin.").waitFor();
        await page.getByText("Étape « reserve » — faite").waitFor();
        await page.getByText("Étape « transfer » — faite").waitFor();
      });

      const request = unwrap(
        await (await as(MANAGER)).supply.GET("/api/supply/requests/{id}", { params: { path: { id: requestId } } }),
      );
      expect(request.status).toBe("completed");
      expect(request.note).toBe(note);
      expect(request.lines).toEqual([{ variantId: pick.variantId, quantity: 3 }]);
      expect(await storeLevel()).toBe(before + 3);

      await visitor.step("the stock at the store", async () => {
        await page.getByRole("navigation", { name: "Back-office" }).getByRole("link", { name: "Stocks" }).click();
        await page.getByRole("heading", { level: 1, name: "Niveaux de stock" }).waitFor();
        await page.getByLabel("Emplacement").selectOption({ value: STORE_1.locationId });
        await page.getByLabel("SKU ou code-barres").fill(pick.sku);
        await page.getByRole("button", { name: "Filtrer" }).click();
        await expect.poll(() => row.getByRole("cell").nth(2).textContent()).toBe(String(before + 3));
      });

      await visitor.step("threshold and adjustment", async () => {
        await page.getByRole("button", { name: `Modifier ${pick.sku}` }).click();
        const editor = page.getByRole("region", { name: new RegExp(`\\(${pick.sku}\\) à ${STORE_1.name}`) });
        await editor.waitFor();
        await editor.getByLabel("Seuil (vide : aucun)").fill("1000");
        await editor.getByRole("button", { name: "Enregistrer le seuil" }).click();
        await editor.getByRole("status").filter({ hasText: "Seuil enregistré." }).waitFor();
        await editor.getByLabel("Type").selectOption({ label: "Ajustement" });
        await editor.getByLabel("Quantité").fill("-1");
        await editor.getByLabel("Motif").fill("Casse en rayon");
        await editor.getByRole("button", { name: "Enregistrer le mouvement" }).click();
        await editor
          .getByRole("status")
          .filter({ hasText: `Mouvement enregistré : ${before + 2} en stock` })
          .waitFor();
        await expect.poll(() => row.getByRole("cell").nth(5).textContent()).toBe("1000");
      });

      await visitor.step("low-stock alert", async () => {
        await page.getByRole("link", { name: "Alertes de stock bas" }).click();
        await page.getByRole("heading", { level: 1, name: "Alertes de stock bas" }).waitFor();
        // Other alerts are raised meanwhile (the demo's thresholds, this variant's at other stores too):
        // this variant's at store 1 only.
        await page.getByLabel("SKU ou code-barres").fill(pick.sku);
        await page.getByRole("button", { name: "Filtrer" }).click();
        await page
          .getByRole("row")
          .filter({ hasText: pick.sku })
          .filter({ hasText: STORE_1.name })
          .filter({ hasText: "Ouverte" })
          .waitFor();
      });

      await visitor.step("the ledger", async () => {
        await page.getByRole("link", { name: "Mouvements" }).click();
        await page.getByRole("heading", { level: 1, name: "Mouvements" }).waitFor();
        await page.getByLabel("SKU ou code-barres").fill(pick.sku);
        await page.getByRole("button", { name: "Filtrer" }).click();
        await page.getByLabel("Type").selectOption({ label: "Transfert entrant" });
        await page
          .getByRole("row")
          .filter({ hasText: `supply-${requestId}` })
          .filter({ hasText: "+3" })
          .waitFor();
        await page.getByLabel("Type").selectOption({ label: "Ajustement" });
        await page.getByRole("row").filter({ hasText: "Casse en rayon" }).filter({ hasText: "-1" }).waitFor();
      });

      // Another request, which the manager turns down with a reason.
      const clerk = await as(CLERK);
      const second = unwrap(
        await clerk.supply.POST("/api/supply/requests", {
          body: {
            locationId: STORE_1.locationId,
            items: [{ variantId: pick.variantId, quantity: 500 }],
            note: "Trop ?",
          },
        }),
      );
      await visitor.step("manager rejects with a reason", async () => {
        await page.goto(`/backoffice/replenishment/${second.id}`);
        await page.getByText("En attente de la décision d'un responsable.").waitFor();
        await page.getByLabel("Motif du refus").fill("Quantité hors de proportion");
        await page.getByRole("button", { name: "Refuser" }).click();
        await page.getByText("Refusée. Motif : Quantité hors de proportion").waitFor();
      });
      const rejected = unwrap(
        await clerk.supply.GET("/api/supply/requests/{id}", { params: { path: { id: second.id } } }),
      );
      expect(rejected).toMatchObject({ status: "rejected", reason: "Quantité hors de proportion" });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });

  it("an admin on a phone moves stock from the warehouse to a store, then reverses it, in English", async () => {
    const pick = await centralLevel(2);
    const before = await onHand(STORE_2.locationId, pick.variantId);
    const visitor = await Visitor.open(browser!, web!.base, "admin-transfer", { phone: true });
    const { page } = visitor;
    try {
      await visitor.step("a customer turned away", async () => {
        await page.goto("/backoffice/inventory/transfer");
        await page.getByLabel("Adresse e-mail").fill(CUSTOMER.email);
        await page.getByLabel("Mot de passe").fill(CUSTOMER.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page
          .getByRole("alert")
          .filter({ hasText: "Camille Cliente, votre compte client n'ouvre pas le back-office" })
          .waitFor();
      });

      await visitor.step("sign in on a phone", async () => {
        await page.getByLabel("Adresse e-mail").fill(ADMIN.email);
        await page.getByLabel("Mot de passe").fill(ADMIN.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByRole("heading", { level: 1, name: "Transfert" }).waitFor();
      });

      await visitor.step("transfer", async () => {
        await page.getByLabel("Depuis").selectOption({ label: "Entrepôt central" });
        await page.getByLabel("Vers").selectOption({ label: STORE_2.name });
        await page.getByLabel("SKU ou code-barres (ligne 1)").fill(pick.sku);
        await page.getByLabel("Quantité (ligne 1)").fill("2");
        await page.getByRole("button", { name: "Transférer" }).click();
        const done = page.getByRole("region", { name: "Transfert" });
        await done.getByText(`De Entrepôt central vers ${STORE_2.name}`).waitFor();
        await done.getByText("Effectué").waitFor();
        await done.getByText(`2 × ${pick.productName}`).waitFor();
      });
      expect(await onHand(STORE_2.locationId, pick.variantId)).toBe(before + 2);

      await visitor.step("reversed, in English", async () => {
        await page.getByRole("button", { name: "Annuler ce transfert" }).click();
        await page.getByRole("status").filter({ hasText: "Transfert annulé" }).waitFor();
        await page.getByRole("button", { name: "Switch to English" }).click();
        await page.getByRole("heading", { level: 1, name: "Transfer" }).waitFor();
        await page.getByRole("region", { name: "Transfer" }).getByText("Reversed").waitFor();
        await page.getByText("Alice Admin (administrator)").waitFor();
      });
      expect(await onHand(STORE_2.locationId, pick.variantId)).toBe(before);
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });
});
