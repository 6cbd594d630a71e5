import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createComptoirClient, unwrap } from "@comptoir/client";
import { hasChromium, launch, Visitor } from "./support/browser";
import { bootPlatform, shutdown, waitForProduct, type WebPlatform } from "./support/platform";

/**
 * Stock per store and click-and-collect in a real Chromium against the whole platform: a guest reads
 * a product's stock online and in each store (the public store directory and store availability),
 * checks out with pickup at a store (the order has that pickupLocationId and no shipping fee); another
 * guest sees the delivery fee and the total before paying, and the order's total is that one.
 */

const ADMIN = { email: "admin@demo.comptoir.dev", password: "comptoir-demo" };
const PICKUP_PRODUCT = "Chemise en lin";
/** 15 € (under the free delivery threshold of 50 €): the delivery fee applies. */
const DELIVERY_PRODUCT = "Tote bag imprimé";
const STORE = "Magasin 2";
const GOOD_CARD = "4242 4242 4242 4242";

const runIt = hasChromium() || process.env.CI !== undefined;
if (!runIt) console.warn("test/web skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)");

let web: WebPlatform | undefined;
let browser: Browser | undefined;

/** An order as the platform keeps it (read as an admin: a guest's order has no reader but staff). */
async function orderOf(base: string, id: string) {
  const api = createComptoirClient({ baseUrl: base });
  const { token } = unwrap(await api.identity.POST("/api/identity/login", { body: ADMIN }));
  return unwrap(await api.withToken(token).orders.GET("/api/orders/{id}", { params: { path: { id } } }));
}

/** The store of the public directory with that name. */
async function storeNamed(base: string, name: string) {
  const api = createComptoirClient({ baseUrl: base });
  const store = unwrap(await api.retail.GET("/api/retail/store-directory")).data.find((s) => s.name === name);
  expect(store, `no store "${name}" in the directory`).toBeDefined();
  return store!;
}

/** Money as the page writes it in French, spaces of any kind left out. */
const euros = (minor: number) =>
  new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(minor / 100).replace(/\s/g, "");
const squeeze = (text: string | null) => (text ?? "").replace(/\s/g, "");

describe.runIf(runIt)("stock per store and click-and-collect in Chromium", { timeout: 150_000 }, () => {
  beforeAll(async () => {
    const started = Date.now();
    [web, browser] = await Promise.all([bootPlatform(), launch()]);
    await waitForProduct(web.base, PICKUP_PRODUCT);
    await waitForProduct(web.base, DELIVERY_PRODUCT);
    console.log(`platform and Chromium ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shutdown(web)).toEqual([]);
  }, 60_000);

  it("a guest sees the stock in each store, then collects the order at a store, with no shipping fee", async () => {
    const store = await storeNamed(web!.base, STORE);
    const visitor = await Visitor.open(browser!, web!.base, "collect-at-a-store");
    const { page } = visitor;
    let orderId = "";
    try {
      await visitor.step("product with stock per store", async () => {
        await page.goto(`/search?q=${encodeURIComponent(PICKUP_PRODUCT)}`);
        await page
          .getByRole("link", { name: new RegExp(PICKUP_PRODUCT) })
          .first()
          .click();
        // The product page itself (the search page's heading names the product too).
        await page.waitForURL(/\/p\/[^/?]+$/);
        await page.getByRole("heading", { level: 1, name: PICKUP_PRODUCT, exact: true }).waitFor();
        await page.getByText("En stock en ligne", { exact: true }).waitFor();
        const stores = page.getByRole("region", { name: "Disponibilité en magasin" });
        const row = stores.getByRole("listitem").filter({ has: page.getByRole("heading", { name: STORE }) });
        await row.waitFor();
        // The demo stores hold 5 to 30 of each variant, with a threshold of 10: in stock or "only n left".
        expect(await row.textContent()).toMatch(/En stock|Plus que \d+|Stock limité/);
        expect(await row.textContent()).toContain(store.address.line1);
        expect(await row.textContent()).toMatch(/Aujourd'hui : \d\d:\d\d–\d\d:\d\d|Fermé aujourd'hui/);
        expect(await stores.getByRole("listitem").count()).toBe(3);
        await page.getByRole("button", { name: "Ajouter au panier" }).click();
        await page.getByText("Ajouté au panier.").waitFor();
      });

      await visitor.step("checkout: pickup at a store", async () => {
        await page.getByRole("link", { name: /^Panier\W+1 article/ }).click();
        await page.getByRole("link", { name: "Commander" }).click();
        await page.getByRole("heading", { level: 1, name: "Commande" }).waitFor();
        await page.getByLabel("Adresse e-mail").fill("collect@example.com");
        await page.getByLabel(/^Retrait en magasin/).check();
        const pick = page.getByRole("group", { name: "Magasin de retrait" });
        const choice = pick.getByRole("radio", { name: new RegExp(STORE) });
        await choice.check();
        // The store's stock of the cart's line is told next to it.
        expect(await choice.getAttribute("aria-describedby")).not.toBeNull();
        await pick.getByText("Tout votre panier est disponible dans ce magasin.").first().waitFor();
        // No address asked for; the summary says pickup is free, and the total is the subtotal.
        expect(await page.getByLabel("Nom complet").count()).toBe(0);
        const summary = page.getByRole("complementary", { name: "Récapitulatif" });
        await summary.getByText("Gratuit").waitFor();
        await page.getByLabel("Numéro de carte").fill(GOOD_CARD);
        await page.getByLabel("Cryptogramme (CVC)").fill("123");
      });

      await visitor.step("confirmation: collected at the store", async () => {
        await page.getByRole("button", { name: "Commander et payer" }).click();
        await page.getByRole("heading", { level: 1, name: "Merci, votre commande est confirmée" }).waitFor();
        await page.getByRole("heading", { name: "Retrait en magasin" }).waitFor();
        await page.getByText(store.address.line1).waitFor();
        orderId = /\/order\/([0-9a-f-]+)/.exec(page.url())![1]!;
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }

    const order = await orderOf(web!.base, orderId);
    expect(order).toMatchObject({
      status: "paid",
      email: "collect@example.com",
      pickupLocationId: store.locationId,
      shippingAddress: null,
      shipping: 0,
    });
    expect(order.total).toBe(order.subtotal);
  });

  it("a guest sees the delivery fee and the total before paying: the order's total is that one", async () => {
    const visitor = await Visitor.open(browser!, web!.base, "delivery-fee-before-paying", { phone: true });
    const { page } = visitor;
    let shown = "";
    let orderId = "";
    try {
      await visitor.step("product", async () => {
        await page.goto(`/search?q=${encodeURIComponent(DELIVERY_PRODUCT)}`);
        await page
          .getByRole("link", { name: new RegExp(DELIVERY_PRODUCT) })
          .first()
          .click();
        await page.waitForURL(/\/p\/[^/?]+$/);
        await page.getByRole("heading", { level: 1, name: DELIVERY_PRODUCT, exact: true }).waitFor();
        await page.getByRole("region", { name: "Disponibilité en magasin" }).getByText(STORE).waitFor();
        await page.getByRole("button", { name: "Ajouter au panier" }).click();
        await page.getByText("Ajouté au panier.").waitFor();
      });

      await visitor.step("checkout: delivery, its fee and the total shown", async () => {
        await page.getByRole("link", { name: /^Panier\W+1 article/ }).click();
        await page.getByRole("link", { name: "Commander" }).click();
        await page.getByRole("heading", { level: 1, name: "Commande" }).waitFor();
        const summary = page.getByRole("complementary", { name: "Récapitulatif" });
        const total = summary.locator(".total dd");
        await total.waitFor();
        // Delivery is the default: its fee (4,90 €, the cart being under 50 €) is in the summary.
        expect(await page.getByLabel(/^Livraison à domicile/).isChecked()).toBe(true);
        await page.getByText(/Livraison offerte dès 50,00\s€ d'achats\./).waitFor();
        expect(squeeze(await summary.locator(".totals dd").nth(1).textContent())).toBe(euros(490));
        shown = squeeze(await total.textContent());
        await page.getByLabel("Adresse e-mail").fill("delivered@example.com");
        await page.getByLabel("Nom complet").fill("Alex Dupont");
        await page.getByLabel("Adresse", { exact: true }).fill("3 place Bellecour");
        await page.getByLabel("Code postal").fill("69002");
        await page.getByLabel("Ville").fill("Lyon");
        await page.getByLabel("Numéro de carte").fill(GOOD_CARD);
        await page.getByLabel("Cryptogramme (CVC)").fill("123");
      });

      await visitor.step("confirmation", async () => {
        await page.getByRole("button", { name: "Commander et payer" }).click();
        await page.getByRole("heading", { level: 1, name: "Merci, votre commande est confirmée" }).waitFor();
        await page.locator("address", { hasText: "3 place Bellecour" }).waitFor();
        orderId = /\/order\/([0-9a-f-]+)/.exec(page.url())![1]!;
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }

    const order = await orderOf(web!.base, orderId);
    expect(order).toMatchObject({ status: "paid", pickupLocationId: null, shipping: 490 });
    expect(shown).toBe(euros(order.total));
    expect(order.total).toBe(order.subtotal + 490);
  });
});
