import pg from "pg";
import { databaseOf, redactUrl, withDatabase } from "../config/databases";
import { UserError } from "../errors";

/** Databases every server has, to connect to when the target database does not exist yet. */
const MAINTENANCE_DATABASES = ["postgres", "template1"];

/** The server part of a URL (user, password, host, port, options): databases on it share a connection. */
function serverKey(url: URL): string {
  return withDatabase(url, "").toString();
}

/**
 * Creates each database that does not exist yet, connecting once per server to a maintenance
 * database. Returns the names it created.
 */
export async function ensureDatabases(urls: readonly URL[]): Promise<string[]> {
  const byServer = new Map<string, URL[]>();
  for (const url of urls) {
    const key = serverKey(url);
    byServer.set(key, [...(byServer.get(key) ?? []), url]);
  }
  const created: string[] = [];
  for (const group of byServer.values()) {
    const server = group[0] as URL;
    const client = await connectToMaintenance(server);
    try {
      const names = group.map(databaseOf);
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname = ANY($1)",
        [names],
      );
      const existing = new Set(rows.map((row) => row.datname));
      for (const name of names) {
        if (existing.has(name)) continue;
        try {
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
          created.push(name);
        } catch (error) {
          // 42P04: created meanwhile by someone else (another launcher on a shared server).
          if ((error as { code?: string }).code === "42P04") continue;
          throw new UserError(
            `cannot create database ${name} on ${redactUrl(withDatabase(server, ""))}: ${(error as Error).message}`,
          );
        }
      }
    } finally {
      await client.end().catch(() => {});
    }
  }
  return created;
}

async function connectToMaintenance(server: URL): Promise<pg.Client> {
  let lastError: unknown;
  for (const database of MAINTENANCE_DATABASES) {
    const client = new pg.Client({
      connectionString: withDatabase(server, database).toString(),
      connectionTimeoutMillis: 5_000,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      return client;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => {});
      // Only a missing or forbidden database is worth trying the next one for.
      const code = (error as { code?: string }).code;
      if (code !== "3D000" && code !== "42501") break;
    }
  }
  throw new UserError(
    `cannot connect to PostgreSQL at ${redactUrl(withDatabase(server, ""))}: ${(lastError as Error).message}`,
  );
}
