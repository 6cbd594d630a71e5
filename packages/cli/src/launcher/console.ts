/**
 * The launcher's console: short human lines. Services' own logs go to files; only their warnings
 * and errors are echoed here, prefixed by the instance.
 */
const colored = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

function paint(code: number, text: string): string {
  return colored ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export const style = {
  bold: (text: string) => paint(1, text),
  dim: (text: string) => paint(2, text),
  green: (text: string) => paint(32, text),
  yellow: (text: string) => paint(33, text),
  red: (text: string) => paint(31, text),
  cyan: (text: string) => paint(36, text),
};

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A step of the launcher. */
export function info(message: string): void {
  write(`${style.dim("comptoir")} ${message}`);
}

export function success(message: string): void {
  write(`${style.green("✓")} ${message}`);
}

export function warn(message: string): void {
  write(`${style.yellow("!")} ${message}`);
}

/** A fatal launcher error, on stderr: `comptoir: <message>`. */
export function fail(message: string): void {
  process.stderr.write(`comptoir: ${message}\n`);
}

/** A line from a service instance (a warning, an error, or raw stderr output). */
export function instanceLine(instance: string, level: string, message: string): void {
  const tag = level === "warn" ? style.yellow("WARN") : level === "raw" ? "" : style.red(level.toUpperCase());
  write(`${style.cyan(instance.padEnd(15))} ${tag ? `${tag} ` : ""}${message}`);
}

export function blank(): void {
  write("");
}

export function raw(line: string): void {
  write(line);
}
