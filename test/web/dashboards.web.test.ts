import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createComptoirClient, unwrap } from "@comptoir/client";
import { DEMO_STORES } from "@comptoir/contracts";
import { hasChromium, launch, Visitor } from "./support/browser";
import { bootPlatform, shutdown, waitForProduct, type WebPlatform } from "./support/platform";

/**
 * The managers' dashboards in a real Chromium against the whole platform: a clerk rings up a till
 * sale at store 1 through the API; the demo manager of store 1 signs in at /dashboards, reads the
 * overview of a custom period (totals, revenue over time, top products), downloads the sales report
 * as CSV (its total matches the JSON the screen shows), reads their store's indicators, has no store
 * to choose from, and is refused another store's in plain words. Every screen is checked with
 * axe-core; any console error or failed request fails the test, but for the announced 403.
 */

const PASSWORD = "comptoir-demo";
const MANAGER = { email: "manager@demo.comptoir.dev", password: PASSWORD };
const CLERK = { email: "clerk@demo.comptoir.dev", password: PASSWORD };
const ADMIN = { email: "admin@demo.comptoir.dev", password: PASSWORD };
const CUSTOMER = { email: "customer@demo.comptoir.dev", password: PASSWORD };
const PRODUCT = "Chemise en lin";
const [STORE_1, STORE_2] = DEMO_STORES;

const runIt = hasChromium() || process.env.CI !== undefined;
if (!runIt) console.warn("test/web skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)");

let web: WebPlatform | undefined;
let browser: Browser | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A day of the stores' time zone (the demo stores are in Europe/Paris), `days` before today. */
const parisDay = (days = 0) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(Date.now() - days * 86_400_000));

const euros = (cents: number) =>
  new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" }).format(cents / 100);

/**
 * The chart named `name` (an image) draws one column per row of the figures' table beneath it that is
 * not zero (a column of height 0 is not drawn).
 */
async function expectColumnsMatchTable(page: Page, name: RegExp): Promise<void> {
  const chart = page.getByRole("img", { name });
  await chart.waitFor();
  const figures = page.locator("figure.dash-chart", { has: chart }).locator(".dash-data tbody td");
  await figures.first().waitFor({ state: "attached" });
  const nonZero = (await figures.allTextContents()).filter((text) => /[1-9]/.test(text)).length;
  await chart.locator("svg.recharts-surface").waitFor();
  await expect.poll(() => chart.locator(".recharts-bar-rectangle").count(), { timeout: 15_000 }).toBe(nonZero);
}

/** A till sale of the demo shirt at store 1, rung up by its clerk (retained until retail knows the variant). */
async function sellAtStore1(base: string): Promise<void> {
  const api = createComptoirClient({ baseUrl: base });
  const clerk = api.withToken(unwrap(await api.identity.POST("/api/identity/login", { body: CLERK })).token);
  const hit = unwrap(await api.search.GET("/api/search/products", { params: { query: { q: PRODUCT, limit: 1 } } }))
    .data[0]!;
  const product = unwrap(
    await api.catalog.GET("/api/catalog/products/by-slug/{slug}", { params: { path: { slug: hit.slug } } }),
  );
  const registerId = unwrap(
    await clerk.retail.GET("/api/retail/stores/{id}/registers", { params: { path: { id: STORE_1.storeId } } }),
  ).data[0]!.id;
  unwrap(
    await clerk.retail.POST("/api/retail/registers/{id}/open", {
      params: { path: { id: registerId } },
      body: { openingFloat: 10_000 },
    }),
  );
  const variant = product.variants[0]!;
  // Retail prices the line from catalog: until it knows the variant, a new attempt under a new key.
  for (let attempt = 0; ; attempt++) {
    const sale = await clerk.retail.POST("/api/retail/sales", {
      params: { header: { "idempotency-key": randomUUID() } },
      body: {
        registerId,
        lines: [{ variantId: variant.id, quantity: 1 }],
        tenders: [{ method: "cash", amount: variant.price }],
      },
    });
    if (sale.response.ok) return;
    if (attempt > 40) unwrap(sale);
    await sleep(250);
  }
}

describe.runIf(runIt)("the dashboards in Chromium", { timeout: 120_000 }, () => {
  let token: string;

  beforeAll(async () => {
    const started = Date.now();
    [web, browser] = await Promise.all([bootPlatform(), launch()]);
    await waitForProduct(web.base, PRODUCT);
    await sellAtStore1(web.base);
    const api = createComptoirClient({ baseUrl: web.base });
    token = unwrap(await api.identity.POST("/api/identity/login", { body: MANAGER })).token;
    // The sale reaches reporting through retail's events.
    const manager = api.withToken(token);
    for (let tries = 0; ; tries++) {
      const { totals } = unwrap(
        await manager.reporting.GET("/api/reporting/sales", {
          params: { query: { from: parisDay(1), to: parisDay(), storeId: STORE_1.storeId } },
        }),
      );
      if ((totals.transactions ?? 0) > 0) break;
      if (tries > 240) throw new Error("the till sale did not reach reporting within a minute");
      await sleep(250);
    }
    console.log(`platform, Chromium and a till sale ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shutdown(web)).toEqual([]);
  }, 60_000);

  it("the manager of store 1 reads the overview, downloads the sales as CSV, reads their store's indicators and is refused another store's", async () => {
    const from = parisDay(6);
    const to = parisDay();
    const report = unwrap(
      await createComptoirClient({ baseUrl: web!.base })
        .withToken(token)
        .reporting.GET("/api/reporting/sales", {
          params: { query: { from, to, storeId: STORE_1.storeId, groupBy: "day" } },
        }),
    );
    expect(report.totals.revenue).toBeGreaterThan(0);

    const visitor = await Visitor.open(browser!, web!.base, "manager-dashboards");
    const { page } = visitor;
    try {
      await visitor.step("sign in", async () => {
        await page.goto("/dashboards");
        await page.getByRole("heading", { level: 1, name: "Tableaux de bord" }).waitFor();
        await page.getByLabel("Adresse e-mail").fill(MANAGER.email);
        await page.getByLabel("Mot de passe").fill(MANAGER.password);
        await page.getByRole("button", { name: "Se connecter" }).click();
        await page.getByRole("heading", { level: 1, name: "Vue d'ensemble des ventes" }).waitFor();
        await page.getByText("Marc Manager (responsable de magasin)").waitFor();
      });

      await visitor.step("overview", async () => {
        await page.getByLabel("Période").selectOption("custom");
        await page.getByLabel("Du", { exact: true }).fill(from);
        await page.getByLabel("Au", { exact: true }).fill(to);
        await page.getByRole("button", { name: "Appliquer" }).click();
        await page.waitForURL(new RegExp(`period=custom&from=${from}&to=${to}`));
        const revenue = page.locator(".dash-card", { hasText: "Chiffre d'affaires TTC" }).locator("dd");
        await revenue.filter({ hasText: euros(report.totals.revenue) }).waitFor();
        await expectColumnsMatchTable(page, /^Chiffre d'affaires dans le temps : \d+ barres/);
        await page.getByRole("rowheader", { name: PRODUCT }).first().waitFor();
        // A manager reads their own store: no channel or store to choose.
        expect(await page.getByLabel("Canal ou magasin").count()).toBe(0);
      });

      await visitor.step("sales as CSV", async () => {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page
            .getByRole("button", { name: "Télécharger « Chiffre d'affaires dans le temps » en CSV", exact: true })
            .click(),
        ]);
        expect(download.suggestedFilename()).toBe(`sales-${from}-${to}.csv`);
        const csv = await readFile((await download.path())!, "utf8");
        const records = csv
          .replace(/^\uFEFF/, "")
          .trimEnd()
          .split("\r\n");
        expect(records[0]).toMatch(/^key,label,revenue,revenue excl\. VAT,VAT,/);
        const total = records.at(-1)!.split(",");
        expect(total.slice(0, 3)).toEqual(["total", "Total", (report.totals.revenue / 100).toFixed(2)]);
        expect(records).toHaveLength(report.data.length + 2);
      });

      await visitor.step("store indicators", async () => {
        await page.getByRole("link", { name: "Indicateurs du magasin" }).click();
        await page.getByRole("heading", { level: 1, name: "Indicateurs du magasin" }).waitFor();
        await page.getByText(`Votre magasin : ${STORE_1.name}`).waitFor();
        const row = page.getByRole("row", { name: /^Chiffre d'affaires TTC/ });
        await row
          .getByRole("cell")
          .first()
          .filter({ hasText: euros(report.totals.revenue) })
          .waitFor();
        await expectColumnsMatchTable(page, /^Ventes par heure : 24 barres/);
        // A column's tooltip: its hour and its figure, in the app's formats.
        const byHour = page.getByRole("img", { name: /^Ventes par heure/ });
        await byHour.locator(".recharts-bar-rectangle").first().hover();
        await byHour
          .locator(".dash-tooltip")
          .filter({ hasText: /^\d+ h : .*€$/ })
          .waitFor();
        expect(await page.getByLabel("Magasin", { exact: true }).count()).toBe(0);
      });

      await visitor.step("another store refused", async () => {
        visitor.expectFailure({
          method: "GET",
          path: `/api/reporting/stores/${STORE_2.storeId}/indicators`,
          status: 403,
        });
        await page.goto(`/dashboards/store/${STORE_2.storeId}?period=custom&from=${from}&to=${to}`);
        await page
          .getByRole("alert")
          .filter({
            hasText:
              "Ce magasin n'est pas le vôtre : un responsable ne consulte que les chiffres de son propre magasin.",
          })
          .waitFor();
        visitor.expectFailuresSeen();
      });

      await visitor.step("stock status", async () => {
        await page.getByRole("link", { name: "État des stocks" }).click();
        await page.getByRole("heading", { level: 1, name: "État des stocks" }).waitFor();
        await page.locator(".dash-table .dash-badge").first().waitFor();
        await page.getByText(/^Page 1 sur \d+/).waitFor();
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });
  it("a customer is turned away in plain words; the admin picks any store, reads the conversion funnel and downloads it for French spreadsheets", async () => {
    const from = parisDay(6);
    const to = parisDay();
    const visitor = await Visitor.open(browser!, web!.base, "admin-dashboards");
    const { page } = visitor;
    const signIn = async (who: { email: string; password: string }) => {
      await page.getByLabel("Adresse e-mail").fill(who.email);
      await page.getByLabel("Mot de passe").fill(who.password);
      await page.getByRole("button", { name: "Se connecter" }).click();
    };
    try {
      await visitor.step("a customer turned away", async () => {
        await page.goto(`/dashboards?period=custom&from=${from}&to=${to}`);
        await signIn(CUSTOMER);
        await page
          .getByRole("alert")
          .filter({ hasText: "Le compte de Camille Cliente n'a pas accès aux tableaux de bord" })
          .waitFor();
      });

      await visitor.step("admin overview", async () => {
        await signIn(ADMIN);
        await page.getByRole("heading", { level: 1, name: "Vue d'ensemble des ventes" }).waitFor();
        await page.getByRole("rowheader", { name: STORE_1.name }).waitFor();
        await page.getByLabel("Canal ou magasin").selectOption({ label: STORE_1.name });
        await expectColumnsMatchTable(page, /^Chiffre d'affaires dans le temps : \d+ barres/);
      });

      await visitor.step("another store's indicators", async () => {
        await page.getByRole("link", { name: "Indicateurs du magasin" }).click();
        await page.getByRole("heading", { level: 1, name: "Indicateurs du magasin" }).waitFor();
        await page.getByLabel("Magasin", { exact: true }).selectOption({ label: `${STORE_2.name} (${STORE_2.code})` });
        await page.waitForURL(new RegExp(`/dashboards/store/${STORE_2.storeId}`));
        await page.getByRole("heading", { level: 2, name: `Indicateurs de ${STORE_2.name}` }).waitFor();
      });

      await visitor.step("conversion", async () => {
        await page.getByRole("link", { name: "Conversion" }).click();
        await page.getByRole("heading", { level: 1, name: "Conversion en ligne" }).waitFor();
        await page.getByRole("rowheader", { name: "Paniers créés" }).waitFor();
        await expectColumnsMatchTable(page, /^Commandes payées par jour : 7 barres/);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page
            .getByRole("button", {
              name: "Télécharger « Tunnel de conversion » en CSV point-virgule (Excel en français)",
            })
            .click(),
        ]);
        expect(download.suggestedFilename()).toBe(`conversion-${from}-${to}-fr.csv`);
        const csv = (await readFile((await download.path())!, "utf8")).replace(/^\uFEFF/, "");
        expect(csv.split("\r\n")[0]).toContain(";");
        expect(csv.trimEnd().split("\r\n")).toHaveLength(7 + 2);
      });

      await visitor.step("in English", async () => {
        await page.getByRole("button", { name: "Switch to English" }).click();
        await page.getByRole("heading", { level: 1, name: "Online conversion" }).waitFor();
        await page.getByText("Alice Admin (administrator)").waitFor();
      });
      visitor.assertClean();
    } finally {
      await visitor.close();
    }
  });
});
