import type { Role } from "@comptoir/contracts";
import type { Outbox } from "@comptoir/events";
import { type Db, newId, withTx } from "@comptoir/platform";
import * as refreshRepo from "../db/refresh-tokens.repo";
import * as users from "../db/users.repo";
import { translateUserWriteError } from "./auth.use-cases";
import { userNotFound } from "./me.use-cases";
import { assertPasswordPolicy } from "../model/password";
import { hashPassword } from "./passwords";
import {
  type Language,
  normalizeEmail,
  planUserChange,
  snapshotOf,
  storeNotAllowed,
  type User,
  withoutSecret,
} from "../model/user";
import { revokeUserAccess } from "./revocations.use-cases";
import type { IdentitySettings } from "../model/settings";

export interface UsersDeps {
  db: Db;
  outbox: Outbox;
  settings: IdentitySettings;
}

export interface ListUsersInput extends users.UserFilter {
  page: number;
  limit: number;
}

export interface UserPage {
  data: User[];
  pagination: { page: number; limit: number; total: number };
}

export async function listUsers(deps: UsersDeps, input: ListUsersInput): Promise<UserPage> {
  const { page, limit, ...filter } = input;
  const { users: data, total } = await users.listUsers(deps.db, filter, { limit, offset: (page - 1) * limit });
  return { data, pagination: { page, limit, total } };
}

export async function getUser(deps: UsersDeps, id: string): Promise<User> {
  const user = await users.findUser(deps.db, id);
  if (!user) throw userNotFound(id);
  return withoutSecret(user);
}

export interface CreateUserInput {
  name: string;
  email: string;
  password: string;
  role: Role;
  storeId?: string | null;
  language?: Language;
}

/** An admin creates an account, typically staff: identity.user.registered, as for a sign-up. */
export async function createUser(deps: UsersDeps, input: CreateUserInput): Promise<User> {
  const email = normalizeEmail(input.email);
  const storeId = input.storeId ?? null;
  if (input.role === "customer" && storeId) throw storeNotAllowed();
  assertPasswordPolicy(input.password, email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await withTx(deps.db, async (tx) => {
      const user = withoutSecret(
        await users.insertUser(tx, {
          id: newId(),
          email,
          name: input.name.trim(),
          passwordHash,
          role: input.role,
          storeId,
          language: input.language ?? "fr",
        }),
      );
      await deps.outbox.publish(tx, { type: "identity.user.registered", subject: user.id, data: snapshotOf(user) });
      return user;
    });
  } catch (error) {
    throw translateUserWriteError(error);
  }
}

export interface UpdateUserInput {
  name?: string;
  role?: Role;
  active?: boolean;
  storeId?: string | null;
}

/**
 * An admin changes a user's name, role, store or active flag. Nobody changes their own role or
 * deactivates themself (there is always another admin to do it, and no one locks themself out).
 *
 * Deactivating revokes every refresh token at once, and a deactivation or a new role or store puts
 * the user's access tokens issued so far on the revocation list: every verifier refuses them within
 * seconds (services verify tokens locally; they read the list every 2 seconds). After a role or store
 * change the next refresh gives a token with the new claims.
 */
export async function updateUser(deps: UsersDeps, actorId: string, id: string, input: UpdateUserInput): Promise<User> {
  return withTx(deps.db, async (tx) => {
    const current = await users.findUserForUpdate(tx, id);
    if (!current) throw userNotFound(id);
    const { changes, changedFields, deactivating } = planUserChange(current, actorId, input);
    if (Object.keys(changes).length === 0) return withoutSecret(current);

    const updated = withoutSecret(await users.updateUser(tx, id, changes));
    if (deactivating || changes.role !== undefined || changes.storeId !== undefined) {
      await revokeUserAccess(tx, deps.settings, id);
    }
    if (deactivating) {
      await refreshRepo.revokeUserTokens(tx, id);
      await deps.outbox.publish(tx, {
        type: "identity.user.deactivated",
        subject: id,
        data: { ...snapshotOf(updated), active: false, deactivatedBy: actorId },
      });
    }
    if (changedFields.length > 0) {
      await deps.outbox.publish(tx, {
        type: "identity.user.updated",
        subject: id,
        data: { ...snapshotOf(updated), changedFields, updatedBy: actorId },
      });
    }
    return updated;
  });
}
