// `npm run screenshots`: the README's pictures of the web application (docs/screenshots/*.png), taken in
// Debian's Chromium (playwright-core) on a platform booted as `npm start` boots it, in a fresh data
// folder, with a year of synthetic sales (`comptoir reporting seed-history`) so that the dashboards
// have figures. Each screen is reached as its user would: signed in as a demo account (README, Demo
// accounts) through the API, the session put where the web application keeps it.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { usePlatform } from "../bench/support/platform.mjs";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const out = join(root, "docs", "screenshots");
const CHROMIUM = process.env.COMPTOIR_CHROMIUM ?? "/usr/bin/chromium";
const PASSWORD = "comptoir-demo";

if (!process.argv.includes("--no-build")) {
  const built = spawnSync(process.execPath, [join(root, "scripts/build.mjs"), "--quiet"], { stdio: "inherit" });
  if (built.status !== 0) process.exit(1);
}

/** The demo account's session, as web/src/app/auth/session.tsx keeps it in localStorage. */
async function session(base, email) {
  const res = await fetch(`${base}/api/identity/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: HTTP ${res.status}`);
  const { token, refreshToken, user } = await res.json();
  const { id, name, role, language } = user;
  return { token, refreshToken, user: { id, email, name, role, language } };
}

const { platform, release } = await usePlatform({ RATE_LIMIT_ANONYMOUS: "1000000000", RATE_LIMIT_USER: "1000000000" });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
});
try {
  const base = platform.base;
  console.log(`platform ready in ${platform.seconds.toFixed(1)} s; a year of sales for the dashboards…`);
  const seeded = spawnSync(
    process.execPath,
    [join(root, "packages/cli/dist/main.js"), "reporting", "seed-history", "--years", "1", "--lines", "30000"],
    { stdio: "inherit", env: { ...process.env, COMPTOIR_DATA: platform.dataDir } },
  );
  if (seeded.status !== 0) throw new Error("seed-history failed");
  mkdirSync(out, { recursive: true });
  const product = (await (await fetch(`${base}/api/search/products?q=chemise&limit=1`)).json()).data[0];

  /** One screenshot: `path` opened as `email` (or anonymously), once `ready` shows. */
  const shoot = async (name, path, { email, ready = "main h1", width = 1280, height = 800 } = {}) => {
    const context = await browser.newContext({ viewport: { width, height }, locale: "fr-FR", deviceScaleFactor: 1 });
    try {
      if (email) {
        const stored = JSON.stringify(await session(base, email));
        await context.addInitScript((value) => localStorage.setItem("comptoir.session", value), stored);
      }
      const page = await context.newPage();
      await page.goto(base + path, { waitUntil: "networkidle" });
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: join(out, `${name}.png`) });
      console.log(`  docs/screenshots/${name}.png  ${path}${email ? ` as ${email}` : ""}`);
    } finally {
      await context.close();
    }
  };

  await shoot("storefront", "/");
  await shoot("product", `/p/${product.slug}`);
  await shoot("backoffice", "/backoffice/catalog", { email: "admin@demo.comptoir.dev" });
  await shoot("pos", "/pos", { email: "clerk@demo.comptoir.dev" });
  await shoot("dashboards", "/dashboards?period=12m", { email: "manager@demo.comptoir.dev", ready: "main svg" });
} finally {
  await browser.close();
  await release();
}
