// `npm run bench <scenario>`: runs one load or timing scenario and prints its figures.
// Scenarios live next to this file as <name>.bench.mjs.
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const scenarios = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .map((f) => f.replace(".bench.mjs", ""));
const [name, ...args] = process.argv.slice(2);
if (!name || !scenarios.includes(name)) {
  console.error(`usage: npm run bench -- <scenario> [options]\nscenarios: ${scenarios.join(", ")}`);
  process.exit(2);
}
const { run } = await import(`./${name}.bench.mjs`);
await run(args);
