import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, type Platform, start, stop, waitUntilReady } from "../../e2e/support/platform";

/**
 * One platform for the whole security suite (the fuzz suite and the OWASP files): the launcher
 * bundle, as `npm start` runs it — embedded PostgreSQL, demo mode, default limits — on a free port
 * and a data folder of its own, stopped after the last file.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), "comptoir-security-"));
  const port = await freePort();
  const platform: Platform = start({ PORT: String(port), COMPTOIR_DATA: dataDir, LOG_LEVEL: "warn" });
  try {
    await waitUntilReady(platform);
  } catch (error) {
    await stop(platform).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide("securityPlatform", { base: platform.base, dataDir });
  return async () => {
    await stop(platform);
    await rm(dataDir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    securityPlatform: { base: string; dataDir: string };
  }
}
