import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, cp, lstat, mkdir, readFile, readlink, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { PostgresBinaries } from "./postgres-binaries";
import { type SystemUser, assertReachable, blockingFolder } from "./run-as";

/**
 * Run as root, PostgreSQL runs as the `postgres` user, who must reach both its binaries and its
 * cluster folder. A clone in a private folder (`/root/...`, a `mktemp -d` folder: mode 0700) hides
 * both. Rather than loosen the permissions of someone's home, what PostgreSQL needs moves to a
 * place made for it under /var, and the data folder keeps a link to the cluster.
 */
const SHARED_ROOT = "/var/lib/comptoir";

/**
 * The binaries as `user` can run them: where npm put them if reachable, otherwise a copy of the
 * package's `native/` tree (bin, lib, share; ~60 MB) in /var/lib/comptoir/postgres-<version>, made once.
 */
export async function reachableBinaries(user: SystemUser, binaries: PostgresBinaries): Promise<PostgresBinaries> {
  const blocked =
    (await blockingFolder(user, binaries.postgres, true)) ?? (await blockingFolder(user, binaries.initdb, true));
  if (!blocked) return binaries;
  const native = dirname(dirname(binaries.postgres));
  const version = await packageVersion(native);
  const target = join(SHARED_ROOT, `postgres-${version}`);
  if (!existsSync(join(target, "bin", "postgres"))) {
    await mkdir(SHARED_ROOT, { recursive: true, mode: 0o755 });
    await chmod(SHARED_ROOT, 0o755);
    const staging = `${target}.${randomBytes(4).toString("hex")}.tmp`;
    await cp(native, staging, { recursive: true, verbatimSymlinks: true });
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true });
      // Another launcher finished the same copy first: use theirs.
      if (!existsSync(join(target, "bin", "postgres"))) throw error;
    });
  }
  const copy = {
    postgres: join(target, "bin", basename(binaries.postgres)),
    initdb: join(target, "bin", basename(binaries.initdb)),
  };
  await assertReachable(user, copy.postgres, "the PostgreSQL binaries", true);
  return copy;
}

async function packageVersion(native: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(dirname(native), "package.json"), "utf8")) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {}
  return createHash("sha256").update(native).digest("hex").slice(0, 12);
}

/**
 * The folder the cluster lives in. Normally `clusterDir` itself. When `user` cannot reach it and it
 * does not exist yet, the cluster is created in /var/lib/comptoir/clusters/<id> and `clusterDir`
 * becomes a symbolic link to it, so the data folder still leads to its database and the next start
 * finds it. An existing link is followed.
 */
export async function reachableClusterDir(user: SystemUser, clusterDir: string): Promise<string> {
  const link = await lstat(clusterDir).catch(() => undefined);
  if (link?.isSymbolicLink()) return resolve(dirname(clusterDir), await readlink(clusterDir));
  if (!(await blockingFolder(user, clusterDir))) return clusterDir;
  if (link) {
    // A cluster already here (made by a non-root run): root cannot lend it without opening the folder.
    await assertReachable(user, clusterDir, "its data folder");
  }
  const id = createHash("sha256").update(resolve(clusterDir)).digest("hex").slice(0, 16);
  const target = join(SHARED_ROOT, "clusters", id);
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  await chmod(SHARED_ROOT, 0o755);
  await chmod(dirname(target), 0o755);
  await symlink(target, clusterDir);
  return target;
}
