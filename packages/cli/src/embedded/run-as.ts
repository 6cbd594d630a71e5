import { execFileSync } from "node:child_process";
import { lchown, readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UserError } from "../errors";

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

const POSTGRES_USER = "postgres";

/**
 * PostgreSQL refuses to run as root. When the launcher is root (a container, a CI box), initdb and
 * postgres run as the `postgres` system user instead, created if missing. Undefined otherwise:
 * they run as the current user.
 */
export function postgresRunAs(): SystemUser | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const existing = lookupUser(POSTGRES_USER);
  if (existing) return existing;
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", POSTGRES_USER], { stdio: "pipe" });
  } catch (error) {
    const reason = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
    throw new UserError(
      `PostgreSQL cannot run as root and creating a "${POSTGRES_USER}" system user failed (${reason}); ` +
        "create one, run comptoir as a normal user, or set DATABASE_URL",
    );
  }
  const created = lookupUser(POSTGRES_USER);
  if (!created) throw new UserError(`the "${POSTGRES_USER}" system user was created but cannot be found`);
  return created;
}

function lookupUser(name: string): SystemUser | undefined {
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8", stdio: "pipe" }).trim());
    return { name, uid: id("-u"), gid: id("-g") };
  } catch {
    return undefined;
  }
}

/** Permission bits `user` gets on a file (its supplementary groups are dropped when we spawn as it). */
function permissionsFor(user: SystemUser, info: { uid: number; gid: number; mode: number }): number {
  if (info.uid === user.uid) return (info.mode >> 6) & 7;
  if (info.gid === user.gid) return (info.mode >> 3) & 7;
  return info.mode & 7;
}

interface Blocked {
  dir: string;
  mode: string;
  uid: number;
}

/** The first folder (from the root down) that keeps `user` from reaching `path`, if any. */
export async function blockingFolder(user: SystemUser, path: string, executable = false): Promise<Blocked | undefined> {
  const checks: { dir: string; bit: number }[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    checks.unshift({ dir, bit: 1 });
    if (dirname(dir) === dir) break;
  }
  if (executable) checks.push({ dir: path, bit: 1 });
  for (const { dir, bit } of checks) {
    const info = await stat(dir);
    if ((permissionsFor(user, info) & bit) === 0) {
      return { dir, mode: (info.mode & 0o777).toString(8).padStart(4, "0"), uid: info.uid };
    }
  }
  return undefined;
}

/**
 * Fails with a clear message when `user` cannot reach `path`: every folder above it must be
 * traversable (x), and `path` itself executable when `executable` is set.
 */
export async function assertReachable(user: SystemUser, path: string, what: string, executable = false): Promise<void> {
  const blocked = await blockingFolder(user, path, executable);
  if (blocked) {
    throw new UserError(
      `PostgreSQL runs as the "${user.name}" user (comptoir runs as root) and cannot reach ${what}: ` +
        `${blocked.dir} has mode ${blocked.mode} (owner uid ${blocked.uid}); make it traversable (chmod o+x ${blocked.dir}) ` +
        "or use a data folder elsewhere (COMPTOIR_DATA)",
    );
  }
}

/** Gives `dir` and everything in it to `user`, unless it already belongs to them. */
export async function chownTree(dir: string, user: SystemUser): Promise<void> {
  const top = await stat(dir);
  if (top.uid === user.uid && top.gid === user.gid) return;
  await lchown(dir, user.uid, user.gid);
  for (const entry of await readdir(dir, { recursive: true })) {
    await lchown(join(dir, entry), user.uid, user.gid);
  }
}
