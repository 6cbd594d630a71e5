import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type Platform, processesOf, start, stop, waitUntilReady } from "../../e2e/support/platform";

/**
 * The whole platform for the web tests, booted as the end-to-end tests boot it (the launcher, demo
 * mode, embedded PostgreSQL, a data folder of its own), serving the built web application at `/`.
 */
export interface WebPlatform {
  platform: Platform;
  base: string;
  dataDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function bootPlatform(): Promise<WebPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), "comptoir-web-"));
  await chmod(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  const port = await freePort();
  const platform = start({
    PORT: String(port),
    COMPTOIR_DATA: dataDir,
    // One browser, one address: a page load's requests must not meet the anonymous rate limit.
    RATE_LIMIT_ANONYMOUS: "1000000000",
    RATE_LIMIT_USER: "1000000000",
  });
  const web = { platform, base: platform.base, dataDir };
  try {
    await waitUntilReady(platform);
  } catch (error) {
    // SIGTERM first: the launcher stops its services and its PostgreSQL (a SIGKILL would leave them).
    await shutdown(web);
    throw error;
  }
  return web;
}

/** Waits until search lists the demo product (the demo data reaches search through events). */
export async function waitForProduct(base: string, q: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await fetch(`${base}/api/search/products?q=${encodeURIComponent(q)}&inStock=true&limit=1`);
    if (res.ok && ((await res.json()) as { pagination: { total: number } }).pagination.total > 0) return;
    if (Date.now() > deadline) throw new Error(`search did not list "${q}" in stock within ${ms} ms`);
    await sleep(250);
  }
}

/** Stops the platform (SIGTERM, then SIGKILL if it hangs) and removes its data folder. */
export async function shutdown(web: WebPlatform | undefined): Promise<string[]> {
  if (!web) return [];
  const ended = await Promise.race([stop(web.platform), sleep(30_000).then(() => "timeout" as const)]);
  if (ended === "timeout") await stop(web.platform, "SIGKILL");
  await sleep(200);
  const left = processesOf(web.dataDir);
  await rm(web.dataDir, { recursive: true, force: true });
  return left;
}
