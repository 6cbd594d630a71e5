import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ALL_SERVICES, type ServiceName } from "@comptoir/contracts";
import { type InstanceCounts, parseInstances } from "../config/instances.option";
import { loadLauncherConfig } from "../config/launcher.config";
import { UsageError, UserError } from "../errors";
import { acquireDataLock } from "../launcher/data-lock";
import { Launcher } from "../launcher/launcher";
import { assertBuilt, findRepoRoot, serviceEntry } from "../launcher/paths";

export interface UpArguments {
  instances: InstanceCounts;
}

export function parseUpArguments(args: string[]): UpArguments {
  let values: { instances?: string[] };
  try {
    ({ values } = parseArgs({
      args,
      options: { instances: { type: "string", multiple: true } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`up: ${describeParseError(error as NodeJS.ErrnoException, args)}`);
  }
  return { instances: parseInstances(values.instances ?? []) };
}

function describeParseError(error: NodeJS.ErrnoException, args: string[]): string {
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${/'([^']+)'/.exec(error.message)?.[1] ?? ""} (see comptoir up --help)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return "--instances needs a value, e.g. --instances catalog=3";
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument "${args.find((arg) => !arg.startsWith("-")) ?? ""}" (see comptoir up --help)`;
    default:
      return error.message;
  }
}

/** `comptoir up`: validates everything it can before touching anything, then hands over to the Launcher. */
export async function upCommand(args: string[]): Promise<number> {
  const { instances } = parseUpArguments(args);
  const config = loadLauncherConfig(process.env, process.cwd());
  const root = findRepoRoot();
  const entries = Object.fromEntries(ALL_SERVICES.map((service) => [service, serviceEntry(root, service)])) as Record<
    ServiceName,
    string
  >;
  assertBuilt(root, Object.values(entries));
  try {
    mkdirSync(join(config.dataDir, "logs"), { recursive: true });
  } catch (error) {
    throw new UserError(`cannot create the data folder ${config.dataDir} (COMPTOIR_DATA): ${(error as Error).message}`);
  }
  const lock = acquireDataLock(config.dataDir);
  return new Launcher({ config, instances, root, entries, lock }).run();
}
