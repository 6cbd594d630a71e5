import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createComptoirClient, unwrap } from "@comptoir/client";
import { hasChromium, launch, Visitor } from "./support/browser";
import { bootPlatform, shutdown, waitForProduct, type WebPlatform } from "./support/platform";

/**
 * The storefront in a real Chromium against the whole platform: a guest searches (type-ahead, a typo),
 * fills a cart, signs in (the cart is merged), checks out with a double click (one order, the address
 * saved), sees the order in the account and cancels it; a guest on a phone has a declined card shown
 * next to the card, then pays with the good one and reads the confirmation in English. Every screen is
 * checked with axe-core; any console error or failed request fails the test, but for the declined
 * card's 402, announced beforehand.
 */

const CUSTOMER = { email: "customer@demo.comptoir.dev", password: "comptoir-demo" };
const PRODUCT = "Chemise en lin";
const GOOD_CARD = "4242 4242 4242 4242";
const DECLINED_CARD = "4000 0000 0000 0002";

// Debian's chromium is installed by .ci/run; elsewhere the test says how to get it rather than fail.
const runIt = hasChromium() || process.env.CI !== undefined;
if (!runIt) console.warn("test/web skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)");

let web: WebPlatform | undefined;
let browser: Browser | undefined;

async function customerOrders(base: string) {
  const api = createComptoirClient({ baseUrl: base });
  const { token } = unwrap(await api.identity.POST("/api/identity/login", { body: CUSTOMER }));
  return unwrap(await api.withToken(token).orders.GET("/api/orders", { params: { query: { limit: 100 } } })).data;
}

describe.runIf(runIt)("the storefront in Chromium", { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const started = Date.now();
    [web, browser] = await Promise.all([bootPlatform(), launch()]);
    await waitForProduct(web.base, PRODUCT);
    console.log(`platform and Chromium ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shutdown(web)).toEqual([]);
  }, 60_000);

  it("a guest fills a cart, signs in (the cart is merged), checks out with a double click, sees the one order and cancels it", async () => {
    const before = await customerOrders(web!.base);
    const visitor = await Visitor.open(browser!, web!.base, "guest-signs-in-and-checks-out");
    const { page } = visitor;
    try {
      await visitor.step("home", async () => {
        await page.goto("/");
        await page.getByRole("heading", { level: 1, name: "Le commerce de quartier, en ligne" }).waitFor();
        await page.getByRole("heading", { name: "Nouveautés" }).waitFor();
        await page.locator(".grid .card").first().waitFor();
        expect(await page.evaluate("document.documentElement.lang")).toBe("fr");
      });

      await visitor.step("type-ahead", async () => {
        const box = page.getByRole("combobox", { name: "Rechercher un produit" });
        await box.pressSequentially("chemi", { delay: 30 });
        await page.getByRole("option", { name: new RegExp(PRODUCT) }).waitFor();
        expect(await box.getAttribute("aria-expanded")).toBe("true");
      });

      await visitor.step("search with a typo", async () => {
        const box = page.getByRole("combobox", { name: "Rechercher un produit" });
        await box.fill("chemize lin");
        await box.press("Enter");
        await page.waitForURL(/\/search\?q=chemize/);
        await page.getByRole("heading", { level: 1, name: "Résultats pour « chemize lin »" }).waitFor();
        await page
          .getByRole("link", { name: new RegExp(PRODUCT) })
          .first()
          .waitFor();
        await page.getByRole("complementary", { name: "Filtres" }).getByRole("heading", { name: "Marques" }).waitFor();
      });

      await visitor.step("product", async () => {
        await page
          .getByRole("link", { name: new RegExp(PRODUCT) })
          .first()
          .click();
        await page.waitForURL(/\/p\/[^/?]+$/);
        await page.getByRole("heading", { level: 1, name: PRODUCT, exact: true }).waitFor();
        await page.getByText("En stock en ligne", { exact: true }).waitFor();
        await page.getByText(/TTC/).first().waitFor();
        await page.getByLabel("Quantité").fill("2");
        await page.getByRole("button", { name: "Ajouter au panier" }).click();
        await page.getByText("Ajouté au panier.").waitFor();
      });

      await visitor.step("guest cart", async () => {
        await page.getByRole("link", { name: /^Panier\W+2 article/ }).click();
        await page.getByRole("heading", { level: 1, name: "Votre panier" }).waitFor();
        await page.locator(".line", { hasText: PRODUCT }).waitFor();
        expect(await page.evaluate("localStorage.getItem('comptoir.cart') !== null")).toBe(true);
      });

      await visitor.step("sign in", async () => {
        await page.getByRole("link", { name: "Se connecter" }).click();
        await page.getByRole("heading", { level: 1, name: "Se connecter" }).waitFor();
        await page.getByLabel("Adresse e-mail").fill(CUSTOMER.email);
        await page.getByLabel("Mot de passe").fill(CUSTOMER.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByRole("heading", { level: 1, name: /^Bonjour / }).waitFor();
      });

      await visitor.step("merged cart", async () => {
        await page.getByRole("link", { name: /^Panier/ }).click();
        await page.getByText("Votre panier invité a été ajouté à votre compte.").waitFor();
        const line = page.locator(".line", { hasText: PRODUCT });
        expect(await line.getByRole("spinbutton").inputValue()).toBe("2");
        expect(await page.evaluate("localStorage.getItem('comptoir.cart')")).toBeNull();
      });

      await visitor.step("checkout", async () => {
        await page.getByRole("link", { name: "Commander" }).click();
        await page.getByRole("heading", { level: 1, name: "Commande" }).waitFor();
        await page.getByLabel("Nom complet").fill("Camille Martin");
        await page.getByLabel("Adresse", { exact: true }).fill("12 rue des Lilas");
        await page.getByLabel("Code postal").fill("69003");
        await page.getByLabel("Ville").fill("Lyon");
        await page.getByLabel("Enregistrer cette adresse dans mon compte").check();
        await page.getByLabel("Numéro de carte").fill(GOOD_CARD);
        await page.getByLabel("Cryptogramme (CVC)").fill("123");
      });

      await visitor.step("confirmation", async () => {
        // Two clicks as fast as a hand can: one order.
        await page.getByRole("button", { name: "Commander et payer" }).dblclick();
        await page.getByRole("heading", { level: 1, name: "Merci, votre commande est confirmée" }).waitFor();
        await page.getByText("Payée", { exact: true }).waitFor();
        await page.locator("address", { hasText: "12 rue des Lilas" }).waitFor();
      });

      await visitor.step("account", async () => {
        await page.getByRole("link", { name: "Voir mes commandes" }).click();
        await page.getByRole("heading", { name: "Mes commandes" }).waitFor();
        await page.locator(".order", { hasText: "Payée" }).first().waitFor();
        await page.getByRole("button", { name: "Supprimer l'adresse Camille Martin, 12 rue des Lilas" }).waitFor();
        await page.getByRole("link", { name: /^Panier\W+0 article/ }).waitFor();
      });

      const after = await customerOrders(web!.base);
      const made = after.filter((o) => !before.some((b) => b.id === o.id));
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ status: "paid", email: CUSTOMER.email, shipping: 0 });
      expect(made[0]!.lines).toEqual([
        expect.objectContaining({ name: expect.stringContaining(PRODUCT), quantity: 2 }),
      ]);

      await visitor.step("cancelled", async () => {
        page.once("dialog", (dialog) => void dialog.accept());
        await page.getByRole("button", { name: "Annuler la commande" }).first().click();
        await page.getByText("Commande annulée et remboursée.").waitFor();
        await page.locator(".order", { hasText: "Remboursée" }).first().waitFor();
      });
      expect((await customerOrders(web!.base)).find((o) => o.id === made[0]!.id)?.status).toBe("refunded");
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });

  it("a guest on a phone: the declined card is shown next to the card; the good card then pays", async () => {
    // On a phone's screen: the same screens, laid out for it, pass the same checks.
    const visitor = await Visitor.open(browser!, web!.base, "declined-card-then-good-card", { phone: true });
    const { page } = visitor;
    try {
      await visitor.step("search", async () => {
        await page.goto(`/search?q=${encodeURIComponent(PRODUCT)}`);
        const filters = page.getByRole("button", { name: "Filtres" });
        expect(await filters.getAttribute("aria-expanded")).toBe("false");
        await filters.click();
        await page.getByRole("complementary", { name: "Filtres" }).getByRole("heading", { name: "Marques" }).waitFor();
      });

      await visitor.step("product", async () => {
        await page
          .getByRole("link", { name: new RegExp(PRODUCT) })
          .first()
          .click();
        await page.waitForURL(/\/p\/[^/?]+$/);
        await page.getByRole("heading", { level: 1, name: PRODUCT, exact: true }).waitFor();
        await page.getByRole("button", { name: "Ajouter au panier" }).click();
        await page.getByText("Ajouté au panier.").waitFor();
      });

      await visitor.step("checkout", async () => {
        await page.getByRole("link", { name: /^Panier\W+1 article/ }).click();
        await page.getByRole("link", { name: "Commander" }).click();
        await page.getByLabel("Adresse e-mail").fill("declined-then-paid@example.com");
        await page.getByLabel("Nom complet").fill("Alex Dupont");
        await page.getByLabel("Adresse", { exact: true }).fill("3 place Bellecour");
        await page.getByLabel("Code postal").fill("69002");
        await page.getByLabel("Ville").fill("Lyon");
        await page.getByLabel("Numéro de carte").fill(DECLINED_CARD);
        await page.getByLabel("Cryptogramme (CVC)").fill("123");
      });

      await visitor.step("declined", async () => {
        visitor.expectFailure({ method: "POST", path: "/api/orders/checkout", status: 402 });
        await page.getByRole("button", { name: "Commander et payer" }).click();
        const payment = page.getByRole("group", { name: "Paiement" });
        await payment
          .getByRole("alert")
          .filter({ hasText: "Votre carte a été refusée. Essayez une autre carte." })
          .waitFor();
        expect(await payment.getByLabel("Numéro de carte").getAttribute("aria-invalid")).toBe("true");
        visitor.expectFailuresSeen();
      });

      await visitor.step("paid with the good card", async () => {
        await page.getByLabel("Numéro de carte").fill(GOOD_CARD);
        await page.getByRole("button", { name: "Commander et payer" }).click();
        await page.getByRole("heading", { level: 1, name: "Merci, votre commande est confirmée" }).waitFor();
        await page.getByText("declined-then-paid@example.com").waitFor();
      });

      await visitor.step("in English", async () => {
        await page.getByRole("button", { name: "Switch to English" }).click();
        await page.getByRole("heading", { level: 1, name: "Thank you, your order is confirmed" }).waitFor();
        expect(await page.evaluate("document.documentElement.lang")).toBe("en");
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });
});
