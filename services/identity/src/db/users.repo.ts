import type { Role } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import type { Language, User, UserWithSecret } from "../model/user";

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  store_id: string | null;
  language: Language;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = "id, email, name, password_hash, role, store_id, language, active, created_at, updated_at";

function toUser(row: UserRow): UserWithSecret {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    role: row.role,
    storeId: row.store_id,
    language: row.language,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function findUser(db: Queryable, id: string): Promise<UserWithSecret | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] && toUser(rows[0]);
}

/** Locks the user's row until the transaction ends: their address and profile changes queue up. */
export async function findUserForUpdate(db: Queryable, id: string): Promise<UserWithSecret | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] && toUser(rows[0]);
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserWithSecret | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0] && toUser(rows[0]);
}

export interface NewUserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  storeId: string | null;
  language: Language;
}

export async function insertUser(db: Queryable, u: NewUserRow): Promise<UserWithSecret> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, email, name, password_hash, role, store_id, language)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [u.id, u.email, u.name, u.passwordHash, u.role, u.storeId, u.language],
  );
  return toUser(rows[0]!);
}

/** Inserts unless the e-mail is taken; undefined when it was. */
export async function insertUserIfAbsent(db: Queryable, u: NewUserRow): Promise<UserWithSecret | undefined> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (id, email, name, password_hash, role, store_id, language)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT ((lower(email))) DO NOTHING RETURNING ${COLUMNS}`,
    [u.id, u.email, u.name, u.passwordHash, u.role, u.storeId, u.language],
  );
  return rows[0] && toUser(rows[0]);
}

export interface UserChanges {
  name?: string;
  role?: Role;
  storeId?: string | null;
  language?: Language;
  active?: boolean;
  passwordHash?: string;
}

const CHANGE_COLUMNS: Record<keyof UserChanges, string> = {
  name: "name",
  role: "role",
  storeId: "store_id",
  language: "language",
  active: "active",
  passwordHash: "password_hash",
};

export async function updateUser(db: Queryable, id: string, changes: UserChanges): Promise<UserWithSecret> {
  const keys = Object.keys(changes) as (keyof UserChanges)[];
  const sets = keys.map((k, i) => `${CHANGE_COLUMNS[k]} = $${i + 2}`);
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET ${[...sets, "updated_at = now()"].join(", ")} WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, ...keys.map((k) => changes[k])],
  );
  return toUser(rows[0]!);
}

export interface UserFilter {
  role?: Role;
  active?: boolean;
  /** Part of the name or e-mail, case-insensitive. */
  q?: string;
}

/** A page of users, newest first, and how many match in all. */
export async function listUsers(
  db: Queryable,
  filter: UserFilter,
  page: { limit: number; offset: number },
): Promise<{ users: User[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.role !== undefined) {
    params.push(filter.role);
    where.push(`role = $${params.length}`);
  }
  if (filter.active !== undefined) {
    params.push(filter.active);
    where.push(`active = $${params.length}`);
  }
  if (filter.q !== undefined && filter.q.trim() !== "") {
    params.push(`%${filter.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(name ILIKE $${params.length} OR email ILIKE $${params.length})`);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const { rows } = await db.query<UserRow & { total: string }>(
    `SELECT ${COLUMNS}, count(*) OVER () AS total FROM users ${clause}
     ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.limit, page.offset],
  );
  let total = rows[0] ? Number(rows[0].total) : 0;
  if (rows.length === 0 && page.offset > 0) {
    const counted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM users ${clause}`, params);
    total = Number(counted.rows[0]!.n);
  }
  return { users: rows.map((r) => withoutHash(toUser(r))), total };
}

function withoutHash({ passwordHash: _hash, ...user }: UserWithSecret): User {
  return user;
}

/** How many of these e-mails belong to active accounts. */
export async function countActiveByEmails(db: Queryable, emails: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM users WHERE lower(email) = ANY($1) AND active",
    [emails.map((e) => e.toLowerCase())],
  );
  return rows[0]!.n;
}
