import { existsSync } from "node:fs";
import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import { ALL_SERVICES, type ServiceName } from "@comptoir/contracts";
import { UsageError, UserError } from "../errors";
import { findRepoRoot, serviceEntry } from "../launcher/paths";

/**
 * `comptoir service <name>`: runs one service in this very process, as a container does. The
 * service reads its own environment and handles its own signals, so nothing is forwarded and
 * there is no second process.
 */
export async function serviceCommand(args: string[]): Promise<void> {
  const [name, ...extra] = args;
  if (!name || !(ALL_SERVICES as readonly string[]).includes(name)) {
    const got = name ? `unknown service "${name}"` : "which service?";
    throw new UsageError(`service: ${got} — one of: ${ALL_SERVICES.join(", ")}`);
  }
  if (extra.length > 0) throw new UsageError(`service: unexpected argument "${extra[0]}"`);
  const root = findRepoRoot();
  const entry = serviceEntry(root, name as ServiceName);
  if (!existsSync(entry)) {
    throw new UserError(`not built: ${relative(root, entry)} — run \`npm run build\` first`);
  }
  await import(pathToFileURL(entry).href);
}
