import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { type ComptoirClient, createComptoirClient, unwrap } from "@comptoir/client";
import { DEMO_STORES } from "@comptoir/contracts";
import { hasChromium, launch, Visitor } from "./support/browser";
import { bootPlatform, shutdown, waitForProduct, type WebPlatform } from "./support/platform";

/**
 * The point of sale in a real Chromium against the whole platform. The demo cashier of store 1
 * signs in at /pos, picks a register and opens it with the float counted per denomination; sells
 * three scanned items with a basket discount and a split tender (card, then cash); sells with a
 * line discount above the cashier's limit, refused (403) and approved by the manager signing in
 * within the till. Then the network goes down: two cash sales go on (two keystrokes each after the
 * scans), the first printed as "not registered", the page reloaded in between from the service
 * worker's shell with its queue kept in IndexedDB, and a third sale of more than the store holds.
 * The network comes back: the two sales arrive, exactly once each (counted through GET
 * /api/retail/sales for the session), neither a reload nor the same requests sent again double
 * them, and the third, refused (409, announced), stays listed as needing attention until discarded. Then an X report, a return with the receipt, and
 * the close with the count per denomination and the variance (Z report). Every screen is checked
 * with axe-core; any console error or failed request fails the test, but for the announced 403.
 *
 * "The network is down": Playwright's `context.setOffline(true)` (Network.emulateNetworkConditions),
 * which playwright-core 1.5x+ applies in Chromium to the page AND to the service workers it attaches
 * to (serviceWorkers: "allow", the default). The test does not take that on trust: it asks the
 * worker itself to fetch the API, which must fail, and reloads the page, which only the worker's
 * cache can then answer. Aborting /api/** with context.route would leave the page's own navigation
 * online, and stopping the platform would not let the same test bring it back cheaply.
 */

const PASSWORD = "comptoir-demo";
const CLERK = { email: "clerk@demo.comptoir.dev", password: PASSWORD };
const MANAGER = { email: "manager@demo.comptoir.dev", password: PASSWORD };
const [STORE_1] = DEMO_STORES;

const runIt = hasChromium() || process.env.CI !== undefined;
if (!runIt) console.warn("test/web skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)");

let web: WebPlatform | undefined;
let browser: Browser | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const euros = (cents: number) =>
  new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(cents / 100).replace(/\s/g, " ");
/** Text as the page shows it, its (narrow) no-break spaces as plain ones. */
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

interface Item {
  id: string;
  barcode: string;
  price: number;
}

/** What the till keeps in IndexedDB (comptoir-pos, store "queue"): the waiting sales' bodies. */
function queuedBodies(page: Page): Promise<{ id: string; body: unknown }[]> {
  // Evaluated as text: the tests' TypeScript has no DOM types.
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open("comptoir-pos");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction("queue").objectStore("queue").getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    };
  })`);
}

/** The text of the next receipt the till prints (its print frame lives for one task). */
function nextPrinted(page: Page): Promise<string> {
  return page.evaluate(`new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const text = document.getElementById("pos-print-frame")?.contentDocument?.body?.textContent;
      if (text) {
        observer.disconnect();
        resolve(text);
      }
    });
    observer.observe(document.body, { childList: true });
  })`);
}

/** Waits until the keyboard's focus is on the element of this id (a person looks before typing). */
async function focused(page: Page, id: string) {
  await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe(id);
}

/** Takes the payment in cash, the exact amount: Enter on the empty scan field, Enter on the amount. */
async function payCash(page: Page) {
  await focused(page, "pos-scan");
  await page.keyboard.press("Enter");
  await focused(page, "pos-pay-amount");
  await page.keyboard.press("Enter");
}

/** Scans codes as a keyboard-wedge scanner does (the code typed, then Enter) and waits for the lines. */
async function scan(page: Page, codes: string[]) {
  for (const code of codes) {
    await focused(page, "pos-scan");
    await page.keyboard.type(code);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#pos-scan").inputValue()).toBe("");
  }
  await page
    .locator(".pos-lines tbody tr")
    .nth(codes.length - 1)
    .waitFor();
}

/** The sales of a cash session, through the API. */
async function salesOf(clerk: ComptoirClient, sessionId: string) {
  return unwrap(await clerk.retail.GET("/api/retail/sales", { params: { query: { sessionId, limit: 200 } } })).data;
}

describe.runIf(runIt)("the point of sale in Chromium", { timeout: 300_000 }, () => {
  let items: Item[];
  let clerk: ComptoirClient;
  let registers: { id: string; name: string }[];

  beforeAll(async () => {
    const started = Date.now();
    [web, browser] = await Promise.all([bootPlatform(), launch()]);
    await waitForProduct(web.base, "Chemise en lin");
    const api = createComptoirClient({ baseUrl: web.base });
    clerk = api.withToken(unwrap(await api.identity.POST("/api/identity/login", { body: CLERK })).token);
    const products = unwrap(await api.catalog.GET("/api/catalog/products", { params: { query: { limit: 100 } } }));
    items = products.data
      .flatMap((p) => p.variants.slice(0, 1))
      .filter((v) => v.barcode)
      .slice(0, 3)
      .map((v) => ({ id: v.id, barcode: v.barcode!, price: v.price }));
    expect(items).toHaveLength(3);
    registers = unwrap(
      await clerk.retail.GET("/api/retail/stores/{id}/registers", { params: { path: { id: STORE_1.storeId } } }),
    ).data;
    expect(registers.length).toBeGreaterThanOrEqual(2);
    // Retail prices lines from catalog: a sale at the other register, retried until retail sells these items.
    const other = registers[1]!.id;
    unwrap(
      await clerk.retail.POST("/api/retail/registers/{id}/open", {
        params: { path: { id: other } },
        body: { openingFloat: 10_000 },
      }),
    );
    for (let attempt = 0; ; attempt++) {
      const sale = await clerk.retail.POST("/api/retail/sales", {
        body: {
          id: randomUUID(),
          registerId: other,
          lines: items.map((i) => ({ variantId: i.id, quantity: 1 })),
          tenders: [{ method: "cash", amount: items.reduce((a, i) => a + i.price, 0) }],
        },
      });
      if (sale.response.ok) break;
      if (attempt > 60) unwrap(sale);
      await sleep(500);
    }
    console.log(`platform, Chromium and the catalog ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shutdown(web)).toEqual([]);
  }, 60_000);

  it("a cashier opens a register, sells with discounts and a split tender, sells twice offline, and both sales arrive exactly once", async () => {
    const visitor = await Visitor.open(browser!, web!.base, "pos-offline");
    const { page, context } = visitor;
    const [a, b, c] = items as [Item, Item, Item];
    const register = registers[0]!;
    let sessionId = "";
    try {
      await visitor.step("sign-in", async () => {
        await page.goto("/pos");
        await page.getByRole("heading", { name: "Caisse — connexion" }).waitFor();
        await page.getByLabel("Adresse e-mail").fill(CLERK.email);
        await page.getByLabel("Mot de passe").fill(CLERK.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByRole("heading", { name: "Choisir la caisse" }).waitFor();
      });

      await visitor.step("open-register", async () => {
        await page.getByRole("button", { name: new RegExp(register.name) }).click();
        await page.getByRole("heading", { name: new RegExp("Ouvrir la caisse") }).waitFor();
        await page.getByLabel("Billets de 20,00 €").fill("4");
        await page.getByLabel("Pièces de 2,00 €").fill("10");
        await expect
          .poll(async () => plain(await page.locator(".pos-count-total").textContent()))
          .toContain(euros(10_000));
        await page.getByRole("button", { name: /Ouvrir avec/ }).click();
        await page.locator("#pos-scan").waitFor();
        const opened = unwrap(
          await clerk.retail.GET("/api/retail/registers/{id}", { params: { path: { id: register.id } } }),
        );
        expect(opened.currentSession?.openingFloat).toBe(10_000);
        sessionId = opened.currentSession!.id;
        // The local catalog is read, and the service worker controls the page (it keeps the shell).
        await expect
          .poll(async () => Number(await page.getByTestId("pos-catalog").getAttribute("data-count")), {
            timeout: 60_000,
          })
          .toBeGreaterThan(0);
        await expect
          .poll(() => page.evaluate("navigator.serviceWorker.controller !== null"), { timeout: 60_000 })
          .toBe(true);
      });

      await visitor.step("sale-discount-split-tender", async () => {
        await scan(page, [a.barcode, b.barcode, c.barcode]);
        const subtotal = a.price + b.price + c.price;
        const total = subtotal - Math.floor((2 * subtotal * 500 + 10_000) / 20_000);
        await page.keyboard.press("F6");
        await page.getByRole("heading", { name: "Remise sur le panier" }).waitFor();
        await page.keyboard.type("5");
        await page.keyboard.press("Enter");
        await expect.poll(async () => plain(await page.getByTestId("pos-total").textContent())).toBe(euros(total));
        await page.keyboard.press("F9");
        await focused(page, "pos-pay-amount");
        await page.keyboard.type("10");
        await page.keyboard.press("F7"); // 10 € by the test card
        await expect
          .poll(async () => plain(await page.getByTestId("pos-remaining").textContent()))
          .toBe(euros(total - 1000));
        await focused(page, "pos-pay-amount");
        await page.keyboard.press("Enter"); // the rest in cash
        await page.getByRole("heading", { name: /Vente enregistrée — ticket STORE-1-/ }).waitFor();
        const [sale] = await salesOf(clerk, sessionId);
        expect(sale!.total).toBe(total);
        // The platform's own 80 mm receipt, as a duplicate.
        const duplicate = nextPrinted(page);
        await page.getByRole("button", { name: "Duplicata (ticket 80 mm de la plateforme)" }).click();
        expect(await duplicate).toContain("DUPLICATA");
        expect(sale!.tenders.map((t) => [t.method, t.amount])).toEqual([
          ["card", 1000],
          ["cash", total - 1000],
        ]);
      });

      await visitor.step("sale-manager-approval", async () => {
        await scan(page, [a.barcode]);
        await page.keyboard.press("F4");
        await page.getByRole("heading", { name: /^Remise sur / }).waitFor();
        await page.keyboard.type("20"); // 20 % on the line: above the cashier's 10 %
        await page.keyboard.press("Enter");
        visitor.expectFailure({ method: "POST", path: "/api/retail/sales", status: 403 });
        await payCash(page);
        await page.getByRole("heading", { name: "Accord d'un responsable" }).waitFor();
        await page.getByLabel("E-mail du responsable").fill(MANAGER.email);
        await page.getByLabel("Mot de passe du responsable").fill(MANAGER.password);
        await page.getByRole("button", { name: "Valider" }).click();
        await page.getByRole("heading", { name: /Vente enregistrée — ticket STORE-1-/ }).waitFor();
        visitor.expectFailuresSeen();
        expect(await salesOf(clerk, sessionId)).toHaveLength(2);
      });

      await visitor.step("offline-sale-1", async () => {
        await context.setOffline(true);
        // The network is down for the worker too: its own fetch of the API fails.
        const worker = context.serviceWorkers().find((w) => w.url().endsWith("/pos/sw.js"));
        expect(worker).toBeDefined();
        expect(
          await worker!.evaluate(() =>
            fetch("/api/retail/stores").then(
              () => "reached",
              () => "down",
            ),
          ),
        ).toBe("down");
        await page.getByText("Hors ligne : les ventes en espèces continuent").waitFor();
        await scan(page, [a.barcode, b.barcode, c.barcode]);
        // After the scans: Enter (pay), Enter (cash, the exact amount) — two keystrokes.
        await payCash(page);
        await page.getByRole("heading", { name: "Vente gardée hors ligne — pas encore enregistrée" }).waitFor();
        await page.getByText("1 vente(s) en attente d'envoi").waitFor();
        // The receipt printed from local data says it is not registered yet.
        const printed = nextPrinted(page);
        await page.keyboard.press("Control+P");
        const receipt = await printed;
        expect(receipt).toContain("VENTE NON ENREGISTRÉE");
        expect(plain(receipt)).toContain(euros(a.price + b.price + c.price));
        await page.locator("#pos-print-frame").waitFor({ state: "detached" });
      });

      await visitor.step("offline-reload-sale-2", async () => {
        // Only the service worker's cache can answer this reload: the till comes back with its queue.
        await page.reload();
        await page.locator("#pos-scan").waitFor();
        await page.getByText("1 vente(s) en attente d'envoi").waitFor();
        await page.getByText("Hors ligne : les ventes en espèces continuent").waitFor();
        await scan(page, [c.barcode, b.barcode]);
        await payCash(page);
        await page.getByRole("heading", { name: "Vente gardée hors ligne — pas encore enregistrée" }).waitFor();
        await page.getByText("2 vente(s) en attente d'envoi").waitFor();
        // A third one the platform will refuse once back: more than the store holds (5 to 30 a variant).
        await scan(page, [`99*${a.barcode}`]);
        await payCash(page);
        await page.getByText("3 vente(s) en attente d'envoi").waitFor();
        expect(await salesOf(clerk, sessionId)).toHaveLength(2);
      });

      const all = (await queuedBodies(page)) as { id: string; body: { lines: { quantity: number }[] } }[];
      expect(all).toHaveLength(3);
      const queued = all.filter((q) => q.body.lines[0]!.quantity !== 99);
      const refused = all.find((q) => q.body.lines[0]!.quantity === 99)!;

      await visitor.step("back-online", async () => {
        visitor.expectFailure({ method: "POST", path: "/api/retail/sales", status: 409 });
        await context.setOffline(false);
        await page.getByText("0 vente(s) en attente d'envoi").waitFor({ timeout: 60_000 });
        // Refused after the fact: kept and shown as needing attention, never dropped.
        await page.getByText("1 vente(s) à vérifier").waitFor();
        visitor.expectFailuresSeen();
        await page.getByText("En ligne", { exact: true }).waitFor();
        const sales = await salesOf(clerk, sessionId);
        expect(sales).toHaveLength(4);
        for (const { id } of queued) expect(sales.filter((s) => s.id === id)).toHaveLength(1);
        expect(sales.filter((s) => s.id === refused.id)).toHaveLength(0);
      });

      await visitor.step("replay-does-not-double", async () => {
        // The same requests again (an answer lost on the way back): the same sales, nothing more.
        const before = await salesOf(clerk, sessionId);
        for (const { id, body } of queued) {
          const again = unwrap(
            await clerk.retail.POST("/api/retail/sales", {
              body: body as never,
            }),
          );
          expect(again.id).toBe(id);
          expect(again.receiptNumber).toBe(before.find((s) => s.id === id)!.receiptNumber);
        }
        await page.reload();
        await page.locator("#pos-scan").waitFor();
        await page.getByText("0 vente(s) en attente d'envoi").waitFor();
        expect((await queuedBodies(page)).map((q) => q.id)).toEqual([refused.id]);
        expect(await salesOf(clerk, sessionId)).toHaveLength(4);
      });

      await visitor.step("pending-refused-sale", async () => {
        await page.keyboard.press("Alt+KeyP");
        await page.getByRole("heading", { name: "Ventes en attente" }).waitFor();
        await page.getByText(/Refusée par la plateforme : Certains articles ne sont plus disponibles/).waitFor();
        await page.getByRole("button", { name: "Abandonner" }).click();
        await page.getByRole("button", { name: "Confirmer l'abandon" }).click();
        await page.getByText("Aucune vente en attente.").waitFor();
        expect(await queuedBodies(page)).toEqual([]);
      });

      await visitor.step("x-report", async () => {
        await page.keyboard.press("Alt+KeyX");
        await page.getByRole("heading", { name: "Rapport X (caisse ouverte)" }).waitFor();
        await page.getByText(/^4 · /).waitFor();
      });

      await visitor.step("return-with-receipt", async () => {
        const first = (await salesOf(clerk, sessionId)).at(-1)!;
        await page.keyboard.press("Alt+KeyR");
        await page.getByLabel("Numéro de ticket ou identifiant de vente").fill(first.receiptNumber);
        await page.getByRole("button", { name: "Chercher" }).click();
        await page
          .getByLabel(/^Quantité rendue de /)
          .first()
          .fill("1");
        await page.getByRole("button", { name: "Rembourser" }).click();
        await page.getByTestId("pos-return-done").waitFor();
      });

      await visitor.step("close-z-report", async () => {
        await page.keyboard.press("Alt+KeyC");
        await page.getByRole("heading", { name: "Clôturer la caisse" }).waitFor();
        await page.getByLabel("Billets de 50,00 €").fill("2");
        await page.getByRole("button", { name: /Clôturer avec/ }).click();
        await page.getByRole("heading", { name: "Rapport Z" }).waitFor();
        const session = unwrap(
          await clerk.retail.GET("/api/retail/sessions/{id}", { params: { path: { id: sessionId } } }),
        );
        expect(session.status).toBe("closed");
        expect(session.countedCash).toBe(10_000);
        expect(plain(await page.getByTestId("pos-variance").textContent())).toContain(
          euros(Math.abs(session.variance!)),
        );
      });

      await visitor.step("english", async () => {
        await page.getByRole("button", { name: "Switch to English" }).click();
        await page.getByRole("heading", { name: "Z report" }).waitFor();
        await page.getByText("0 sale(s) waiting to be sent").waitFor();
      });
    } finally {
      await visitor.close();
    }
  });
});
