import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { UserError } from "../errors";

/**
 * Reads `<cwd>/.env` into `env` when the file exists, with Node's own parser (the one behind
 * process.loadEnvFile and --env-file). A variable already set, even to "", wins over the file, so
 * `PORT=9000 comptoir up` still overrides it; services started by `comptoir up` inherit the result.
 * Returns the names it set.
 */
export function loadDotEnv(cwd: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = join(cwd, ".env");
  if (!existsSync(file)) return [];
  let values: Record<string, string>;
  try {
    values = parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
