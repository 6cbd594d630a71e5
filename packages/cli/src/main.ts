import { eventsCommand, processContext } from "./commands/events.command";
import { inventoryCommand } from "./commands/inventory.command";
import { reportingCommand } from "./commands/reporting.command";
import { retailCommand } from "./commands/retail.command";
import { asksForHelp, commandUsage, printUsage } from "./commands/help.command";
import { searchCommand } from "./commands/search.command";
import { secretsCommand } from "./commands/secrets.command";
import { serviceCommand } from "./commands/service.command";
import { upCommand } from "./commands/up.command";
import { loadDotEnv } from "./config/dotenv";
import { UsageError, UserError } from "./errors";

/** The `comptoir` command: `up`, `service <name>`, `events ...`, `inventory verify`, `retail verify`, `reporting ...`, `search ...`, `secrets ...`, `help`. */
async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const usage = command === undefined ? undefined : commandUsage(command);
  if (usage && asksForHelp(args)) {
    process.stdout.write(usage);
    return;
  }
  if (command === "help" && args.length > 0) {
    const asked = commandUsage(args[0]!);
    if (!asked) throw new UsageError(`help: unknown command "${args[0]}"`);
    process.stdout.write(asked);
    return;
  }
  if (usage) loadDotEnv(process.cwd(), process.env);
  switch (command) {
    case "up":
      process.exit(await upCommand(args));
      break;
    case "service":
      await serviceCommand(args);
      break;
    case "events":
      process.exitCode = await eventsCommand(args);
      break;
    case "inventory":
      process.exitCode = await inventoryCommand(args, processContext());
      break;
    case "retail":
      process.exitCode = await retailCommand(args, processContext());
      break;
    case "reporting":
      process.exitCode = await reportingCommand(args, processContext());
      break;
    case "search":
      process.exitCode = await searchCommand(args, processContext());
      break;
    case "secrets":
      process.exitCode = secretsCommand(args, processContext());
      break;
    case "help":
    case "--help":
    case "-h":
      printUsage();
      break;
    case undefined:
      printUsage(process.stderr);
      process.exitCode = 2;
      break;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UserError) {
    process.stderr.write(`comptoir: ${error.message}\n`);
    if (error instanceof UsageError && error.message.startsWith("unknown command")) printUsage(process.stderr);
    process.exit(error.exitCode);
  }
  process.stderr.write(`comptoir: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
