import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createComptoirClient, unwrap } from "@comptoir/client";
import { DEMO_STORES } from "@comptoir/contracts";
import { hasChromium, launch, Visitor } from "./support/browser";
import { bootPlatform, shutdown, waitForProduct, type WebPlatform } from "./support/platform";

/**
 * The back office's operations sections in a real Chromium against the whole platform: a customer's
 * order placed through the API; the admin finds it among the paid orders, ships it with a carrier and
 * a tracking number, reads the customer's shipping mail in the mailbox (HTML in a sandboxed frame, and
 * as text) and marks the order delivered; opens a store, adds a register; creates a clerk for it;
 * creates an API key, sees it once, the key works through the gateway, it is never shown again, and
 * once revoked it is refused; system status shows every service up. A manager sees the orders and
 * their store, not the admins' sections. Every screen is checked with axe-core; any console error or
 * failed request fails the test.
 */

const PASSWORD = "comptoir-demo";
const ADMIN = { email: "admin@demo.comptoir.dev", password: PASSWORD };
const MANAGER = { email: "manager@demo.comptoir.dev", password: PASSWORD };
const CLERK = { email: "clerk@demo.comptoir.dev", password: PASSWORD };
const CUSTOMER = { email: "customer@demo.comptoir.dev", password: PASSWORD };
const PRODUCT = "Chemise en lin";
const GOOD_CARD = { number: "4242424242424242", expMonth: 12, expYear: 2030, cvc: "123" };
const ADDRESS = { name: "Camille Cliente", line1: "3 rue des Lilas", city: "Lyon", postalCode: "69003", country: "FR" };
const [STORE_1] = DEMO_STORES;

const runIt = hasChromium() || process.env.CI !== undefined;
if (!runIt) console.warn("test/web skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)");

let web: WebPlatform | undefined;
let browser: Browser | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A paid order of the demo shirt, placed by the demo customer through the API (retried until orders knows it). */
async function placeOrder(base: string): Promise<string> {
  const api = createComptoirClient({ baseUrl: base });
  const customer = api.withToken(unwrap(await api.identity.POST("/api/identity/login", { body: CUSTOMER })).token);
  const hit = unwrap(await api.search.GET("/api/search/products", { params: { query: { q: PRODUCT, limit: 1 } } }))
    .data[0]!;
  const product = unwrap(
    await api.catalog.GET("/api/catalog/products/by-slug/{slug}", { params: { path: { slug: hit.slug } } }),
  );
  const cart = unwrap(await customer.cart.POST("/api/cart/carts"));
  unwrap(
    await customer.cart.POST("/api/cart/carts/{id}/items", {
      params: { path: { id: cart.id } },
      body: { variantId: product.variants[0]!.id, quantity: 1 },
    }),
  );
  for (let attempt = 0; ; attempt++) {
    const order = await customer.orders.POST("/api/orders/checkout", {
      params: { header: { "idempotency-key": randomUUID() } },
      body: { cartId: cart.id, shippingAddress: ADDRESS, payment: { method: "card", card: GOOD_CARD } },
    });
    if (order.response.ok) return order.data!.id;
    if (attempt > 40) unwrap(order);
    await sleep(500);
  }
}

/** Store 1's clerk opens its first register (a session the store's screen lists as open). */
async function openRegister(base: string): Promise<void> {
  const api = createComptoirClient({ baseUrl: base });
  const clerk = api.withToken(unwrap(await api.identity.POST("/api/identity/login", { body: CLERK })).token);
  const register = unwrap(
    await clerk.retail.GET("/api/retail/stores/{id}/registers", { params: { path: { id: STORE_1.storeId } } }),
  ).data[0]!;
  unwrap(
    await clerk.retail.POST("/api/retail/registers/{id}/open", {
      params: { path: { id: register.id } },
      body: { openingFloat: 15_000 },
    }),
  );
}

/** A call with an API key alone (no token), as a partner's program would make it. */
const withKey = (base: string, key: string) =>
  fetch(`${base}/api/catalog/categories`, { headers: { "x-api-key": key } }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });

describe.runIf(runIt)("the back office's operations in Chromium", { timeout: 240_000 }, () => {
  let orderId: string;

  beforeAll(async () => {
    const started = Date.now();
    [web, browser] = await Promise.all([bootPlatform(), launch()]);
    await waitForProduct(web.base, PRODUCT);
    [orderId] = await Promise.all([placeOrder(web.base), openRegister(web.base)]);
    console.log(`platform, Chromium and a paid order ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shutdown(web)).toEqual([]);
  }, 60_000);

  it("the admin ships an order, reads the customer's mail, runs stores, users and API keys, and sees the system healthy", async () => {
    const base = web!.base;
    const short = orderId.replaceAll("-", "").slice(-8).toUpperCase();
    const tracking = `6A${Date.now()}`;
    const visitor = await Visitor.open(browser!, base, "admin-ops");
    const { page } = visitor;
    await visitor.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const nav = (name: string) => page.getByRole("navigation", { name: "Back-office" }).getByRole("link", { name });
    try {
      await visitor.step("sign in", async () => {
        await page.goto("/backoffice");
        await page.getByLabel("Adresse e-mail").fill(ADMIN.email);
        await page.getByLabel("Mot de passe").fill(ADMIN.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await nav("Commandes en ligne").waitFor();
      });

      await visitor.step("orders", async () => {
        await nav("Commandes en ligne").click();
        await page.getByRole("heading", { level: 1, name: "Commandes en ligne" }).waitFor();
        await page.getByLabel("Statut").selectOption({ label: "Payée" });
        await page.getByLabel("E-mail du client").fill(CUSTOMER.email);
        await page.getByRole("button", { name: "Filtrer" }).click();
        await page.waitForURL(/status=paid/);
        await page.getByRole("link", { name: `Ouvrir la commande ${short}` }).waitFor();
      });

      await visitor.step("ship the order", async () => {
        await page.getByRole("link", { name: `Ouvrir la commande ${short}` }).click();
        await page.getByRole("heading", { level: 1, name: `Commande ${short}` }).waitFor();
        await page.getByLabel("Transporteur").fill("Colissimo");
        await page.getByLabel("Numéro de suivi").fill(tracking);
        await page.getByRole("button", { name: "Marquer expédiée" }).click();
        await page.getByRole("status").filter({ hasText: "Commande expédiée" }).waitFor();
        await page.getByRole("button", { name: "Marquer livrée" }).waitFor();
        await page.getByText(tracking).waitFor();
      });

      await visitor.step("the shipping mail", async () => {
        await nav("Boîte mail").click();
        await page.getByRole("heading", { level: 1, name: "Boîte mail" }).waitFor();
        await page.getByLabel("Destinataire").fill(CUSTOMER.email);
        await page.getByLabel("Modèle").selectOption({ label: "Commande expédiée" });
        await page.getByRole("button", { name: "Filtrer" }).click();
        // The mail is written from orders' event: the list asks again every 5 s.
        const mail = page.getByRole("table").getByRole("link").first();
        await mail.waitFor({ timeout: 90_000 });
        await mail.click();
        await page.getByRole("heading", { level: 2, name: "Enveloppe" }).waitFor();
        const frame = page.frameLocator('iframe[title^="Contenu du mail"]');
        await frame.getByText(tracking).waitFor();
        expect(await page.locator("iframe").getAttribute("sandbox")).toBe("allow-same-origin");
        await page.getByRole("button", { name: "Texte" }).click();
        await page.locator("pre").filter({ hasText: tracking }).waitFor();
      });

      await visitor.step("deliver the order", async () => {
        await page.goto(`/backoffice/orders/${orderId}`);
        await page.getByRole("button", { name: "Marquer livrée" }).click();
        await page.getByRole("status").filter({ hasText: "Commande marquée livrée." }).waitFor();
        await page.getByText("Livrée", { exact: true }).first().waitFor();
      });

      await visitor.step("a store and its registers", async () => {
        await nav("Magasins et caisses").click();
        await page.getByRole("heading", { level: 1, name: "Magasins" }).waitFor();
        await page.getByRole("link", { name: STORE_1.name, exact: true }).click();
        await page.getByRole("heading", { level: 1, name: STORE_1.name }).waitFor();
        await page.getByRole("heading", { level: 2, name: "Sessions de caisse" }).waitFor();
        const session = page.getByRole("row").filter({ hasText: "Chloé Caissière" });
        await session.filter({ hasText: "150,00 €" }).getByText("Ouverte", { exact: true }).waitFor();
        await page.getByLabel("Code de la caisse").fill("T-OPS");
        await page.getByLabel("Nom de la caisse").fill("Caisse de test");
        await page.getByRole("button", { name: "Ajouter la caisse" }).click();
        await page.getByRole("status").filter({ hasText: "Caisse « Caisse de test » ajoutée." }).waitFor();
        await page.getByRole("cell", { name: "T-OPS", exact: true }).waitFor();
      });

      await visitor.step("a new store", async () => {
        await page.getByRole("link", { name: "Tous les magasins" }).click();
        await page.getByRole("link", { name: "Nouveau magasin" }).click();
        await page.getByRole("heading", { level: 1, name: "Nouveau magasin" }).waitFor();
        await page.getByLabel("Code", { exact: true }).fill("STORE-T");
        await page.getByLabel("Nom", { exact: true }).fill("Magasin test");
        await page.getByLabel("Adresse", { exact: true }).fill("1 place du Test");
        await page.getByLabel("Code postal").fill("33000");
        await page.getByLabel("Ville").fill("Bordeaux");
        await page.getByLabel("Téléphone").fill("+33 5 00 00 00 00");
        await page.getByLabel("E-mail du magasin").fill("test@comptoir.example");
        await page.getByLabel("Lundi").fill("9:00-12:30, 14h00 – 19h00");
        await page.getByLabel("Mardi").fill("9h-18h");
        await page.getByRole("button", { name: "Créer le magasin" }).click();
        await page.getByRole("alert").filter({ hasText: "Horaires illisibles pour : Mardi." }).waitFor();
        await page.getByLabel("Mardi").fill("09:00-18:00");
        await page.getByRole("button", { name: "Créer le magasin" }).click();
        await page.getByRole("heading", { level: 1, name: "Magasin test" }).waitFor();
        await page.getByText("Lundi : 09:00–12:30, 14:00–19:00").waitFor();
        await page.getByText("Mercredi : fermé").waitFor();
        await page.getByRole("button", { name: "Modifier" }).click();
        await page.getByLabel("Mercredi").fill("10:00-18:00");
        await page.getByLabel("Responsable").selectOption({ label: "Marc Manager (manager@demo.comptoir.dev)" });
        await page.getByRole("button", { name: "Enregistrer" }).click();
        await page.getByRole("status").filter({ hasText: "Magasin enregistré." }).waitFor();
        await page.getByText("Mercredi : 10:00–18:00").waitFor();
        await page.getByText("Marc Manager", { exact: true }).waitFor();
      });

      await visitor.step("a new clerk", async () => {
        await nav("Utilisateurs").click();
        await page.getByRole("link", { name: "Nouvel utilisateur" }).click();
        await page.getByLabel("Nom", { exact: true }).fill("Théo Test");
        await page.getByLabel("E-mail", { exact: true }).fill("theo.test@demo.comptoir.dev");
        await page.getByLabel("Mot de passe initial").fill("un-mot-de-passe-solide-42");
        await page.getByLabel("Rôle").selectOption({ label: "Vendeur" });
        await page.getByLabel("Magasin").selectOption({ label: `${STORE_1.name} (${STORE_1.code})` });
        await page.getByRole("button", { name: "Créer le compte" }).click();
        await page.getByRole("heading", { level: 1, name: "Théo Test" }).waitFor();
        await page.getByRole("button", { name: "Désactiver le compte" }).click();
        await page.getByRole("status").filter({ hasText: "Compte désactivé" }).waitFor();
        await page.getByRole("button", { name: "Réactiver le compte" }).waitFor();
      });

      let key = "";
      await visitor.step("an API key, shown once", async () => {
        await nav("Clés d'API").click();
        await page.getByRole("heading", { level: 1, name: "Clés d'API" }).waitFor();
        await page.getByLabel("Nom", { exact: true }).fill("Partenaire de test");
        await page.getByLabel("Niveau").selectOption({ label: "Partenaire" });
        await page.getByRole("button", { name: "Créer la clé" }).click();
        await page.getByRole("alert").filter({ hasText: "elle ne sera plus jamais affichée" }).waitFor();
        key = await page.getByLabel("Clé secrète").inputValue();
        expect(key).toMatch(/^ck_partner_[A-Za-z0-9_-]{43}$/);
        await page.getByRole("button", { name: "Copier la clé" }).click();
        await page.getByText("Clé copiée dans le presse-papiers.").waitFor();
        expect(await page.evaluate("navigator.clipboard.readText()")).toBe(key);
        expect(await withKey(base, key)).toBe(200);
      });

      await visitor.step("never shown again", async () => {
        await page.getByRole("button", { name: "J'ai copié la clé" }).click();
        await page.getByText("La clé n'est plus affichée.").waitFor();
        expect(await page.content()).not.toContain(key);
        await page.reload();
        await page.getByRole("cell", { name: "Partenaire de test" }).waitFor();
        expect(await page.content()).not.toContain(key);
        expect(await page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")).not.toContain(key);
      });

      await visitor.step("revoked", async () => {
        const row = page.getByRole("row").filter({ hasText: "Partenaire de test" });
        await row.getByRole("button", { name: "Révoquer" }).click();
        await row.getByRole("button", { name: "Oui, révoquer" }).click();
        await page.getByRole("status").filter({ hasText: "Clé « Partenaire de test » révoquée." }).waitFor();
        await row.getByText(/^Révoquée le/).waitFor();
        // The gateway keeps a key's answer for a moment (its cache): refused within it.
        await expect.poll(() => withKey(base, key), { timeout: 60_000, interval: 500 }).toBe(401);
      });

      await visitor.step("system status", async () => {
        await nav("État du système").click();
        await page.getByRole("heading", { level: 1, name: "État du système" }).waitFor();
        await page.getByText("Tous les services répondent").waitFor();
        const services = page.getByRole("table").first().getByRole("rowheader");
        expect(await services.count()).toBeGreaterThanOrEqual(11);
        expect(await page.getByText("Hors ligne", { exact: true }).count()).toBe(0);
        // Every service's consumers answered: no row still loading, none refused.
        await expect.poll(() => page.getByRole("cell", { name: "Chargement…" }).count()).toBe(0);
        expect(await page.getByRole("alert").count()).toBe(0);
        await page.getByRole("rowheader", { name: "notifications" }).first().waitFor();
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });

  it("a manager sees the orders and their store, not the admins' sections", async () => {
    const visitor = await Visitor.open(browser!, web!.base, "manager-ops", { phone: true });
    const { page } = visitor;
    try {
      await visitor.step("sign in", async () => {
        await page.goto("/backoffice/orders");
        await page.getByLabel("Adresse e-mail").fill(MANAGER.email);
        await page.getByLabel("Mot de passe").fill(MANAGER.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByRole("heading", { level: 1, name: "Commandes en ligne" }).waitFor();
        await page
          .getByRole("link", { name: /^Ouvrir la commande / })
          .first()
          .waitFor();
        const nav = page.getByRole("navigation", { name: "Back-office" });
        await nav.getByRole("link", { name: "Magasins et caisses" }).waitFor();
        for (const name of ["Utilisateurs", "Clés d'API", "Boîte mail", "État du système"]) {
          expect(await nav.getByRole("link", { name }).count()).toBe(0);
        }
      });

      await visitor.step("their store", async () => {
        await page.goto("/backoffice/stores");
        await page.getByRole("link", { name: STORE_1.name, exact: true }).click();
        await page.getByRole("heading", { level: 1, name: STORE_1.name }).waitFor();
        await page.getByRole("cell", { name: "T-OPS", exact: true }).waitFor();
        // Only admins change a store (stores:manage); its manager adds registers.
        expect(await page.getByRole("button", { name: "Modifier" }).count()).toBe(0);
        await page.getByRole("button", { name: "Ajouter la caisse" }).waitFor();
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });
});
