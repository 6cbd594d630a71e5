import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceName } from "@comptoir/contracts";
import { UserError } from "../errors";

/**
 * The repository root, found upward from this module: from the bundle (packages/cli/dist/main.js)
 * and from the sources alike.
 */
export function findRepoRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "packages", "cli", "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the Comptoir repository above ${from}`);
  }
}

/**
 * The bundle a service runs from. COMPTOIR_SERVICE_ENTRY (a path with `{service}`) exists for the
 * launcher's own tests, which run fake services.
 */
export function serviceEntry(root: string, service: ServiceName, env: NodeJS.ProcessEnv = process.env): string {
  const template = env.COMPTOIR_SERVICE_ENTRY;
  if (template) return template.replaceAll("{service}", service);
  return join(root, "services", service, "dist", "main.js");
}

/** Fails with one line when services have not been built yet. */
export function assertBuilt(root: string, entries: readonly string[]): void {
  const missing = entries.filter((entry) => !existsSync(entry));
  if (missing.length === 0) return;
  const shown = missing.slice(0, 3).map((entry) => relative(root, entry) || entry);
  const more = missing.length > 3 ? ` and ${missing.length - 3} more` : "";
  throw new UserError(`not built: ${shown.join(", ")}${more} — run \`npm run build\` first (npm start does it)`);
}
