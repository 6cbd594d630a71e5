import type { Outbox } from "@comptoir/events";
import { ConflictError, type Db, InvalidError, newId, NotFoundError, withTx } from "@comptoir/platform";
import * as addressesRepo from "../db/addresses.repo";
import * as refreshRepo from "../db/refresh-tokens.repo";
import * as users from "../db/users.repo";
import { type Address, type AddressFields, assertCountry, MAX_ADDRESSES_PER_USER } from "../model/address";
import * as attempts from "./password-attempts";
import { assertPasswordPolicy } from "../model/password";
import { hashPassword, verifyPassword } from "./passwords";
import type { LoginThrottleSettings } from "../model/settings";
import { type Language, snapshotOf, type User, type UserField, withoutSecret } from "../model/user";
import { revokeSessionsAccess } from "./revocations.use-cases";
import type { IdentitySettings } from "../model/settings";

export interface MeDeps {
  db: Db;
  outbox: Outbox;
  /** Current-password checks count against the account like failed logins. */
  throttle: LoginThrottleSettings;
  settings: IdentitySettings;
}

export const userNotFound = (id: string) => new NotFoundError("user_not_found", `No user with id ${id}.`);
const addressNotFound = (id: string) => new NotFoundError("address_not_found", `No address with id ${id}.`);

/** Optional texts: absent, null and blank all mean "none". */
const blankToNull = (value: string | null | undefined) => (value?.trim() ? value.trim() : null);

export async function getMe(deps: MeDeps, userId: string): Promise<User> {
  const user = await users.findUser(deps.db, userId);
  if (!user) throw userNotFound(userId);
  return withoutSecret(user);
}

export interface UpdateMeInput {
  name?: string;
  language?: Language;
  password?: string;
  currentPassword?: string;
}

/**
 * Changes one's own name, language or password. A new password needs the current one and ends every
 * other session (refresh-token family) of the user; the caller's own session (`sessionId`) stays.
 * Current-password checks are throttled like logins, per account (429 too_many_attempts).
 */
export async function updateMe(
  deps: MeDeps,
  userId: string,
  sessionId: string | undefined,
  input: UpdateMeInput,
): Promise<User> {
  let passwordHash: string | undefined;
  if (input.password !== undefined) {
    if (input.currentPassword === undefined) {
      throw new InvalidError("current_password_required", "Changing the password needs the current password.", {
        errors: [{ in: "body", field: "currentPassword", message: "is required to change the password" }],
      });
    }
    const current = await users.findUser(deps.db, userId);
    if (!current) throw userNotFound(userId);
    // The same budget of failures as logging in to the account: a stolen token adds no guesses.
    await attempts.reserveAttempt(deps.db, deps.throttle, { email: current.email, ip: null });
    if (!(await verifyPassword(current.passwordHash, input.currentPassword))) {
      await attempts.attemptFailed(deps.db, deps.throttle);
      throw new InvalidError("current_password_incorrect", "The current password is incorrect.", {
        errors: [{ in: "body", field: "currentPassword", message: "is incorrect" }],
      });
    }
    await attempts.forgiveAccount(deps.db, current.email);
    assertPasswordPolicy(input.password, current.email);
    passwordHash = await hashPassword(input.password);
  } else if (input.currentPassword !== undefined) {
    throw new InvalidError("password_required", "currentPassword is only accepted with a new password.", {
      errors: [{ in: "body", field: "password", message: "is required with currentPassword" }],
    });
  }

  return withTx(deps.db, async (tx) => {
    const current = await users.findUserForUpdate(tx, userId);
    if (!current) throw userNotFound(userId);
    const changes: users.UserChanges = {};
    const changedFields: UserField[] = [];
    const name = input.name?.trim();
    if (name !== undefined && name !== current.name) {
      changes.name = name;
      changedFields.push("name");
    }
    if (input.language !== undefined && input.language !== current.language) {
      changes.language = input.language;
      changedFields.push("language");
    }
    if (passwordHash) changes.passwordHash = passwordHash;
    if (Object.keys(changes).length === 0) return withoutSecret(current);
    const updated = withoutSecret(await users.updateUser(tx, userId, changes));
    if (passwordHash) {
      // Every other session ends now, its access tokens included; the caller's own goes on.
      const ended = await refreshRepo.revokeUserTokens(tx, userId, sessionId);
      await revokeSessionsAccess(tx, deps.settings, userId, ended);
    }
    if (changedFields.length > 0) {
      await deps.outbox.publish(tx, {
        type: "identity.user.updated",
        subject: userId,
        data: { ...snapshotOf(updated), changedFields, updatedBy: userId },
      });
    }
    return updated;
  });
}

export async function listMyAddresses(deps: MeDeps, userId: string): Promise<Address[]> {
  return addressesRepo.listAddresses(deps.db, userId);
}

export interface CreateAddressInput {
  label?: string | null;
  name: string;
  line1: string;
  line2?: string | null;
  postalCode: string;
  city: string;
  country: string;
  phone?: string | null;
  defaultShipping?: boolean;
  defaultBilling?: boolean;
}

/** Adds an address; marking it a default unsets the previous default of that kind, in the same transaction. */
export async function createAddress(deps: MeDeps, userId: string, input: CreateAddressInput): Promise<Address> {
  assertCountry(input.country);
  return withTx(deps.db, async (tx) => {
    // The user's row serialises their address changes: two concurrent "default" writes cannot both win.
    if (!(await users.findUserForUpdate(tx, userId))) throw userNotFound(userId);
    if ((await addressesRepo.countAddresses(tx, userId)) >= MAX_ADDRESSES_PER_USER) {
      throw new ConflictError(
        "too_many_addresses",
        `An account keeps at most ${MAX_ADDRESSES_PER_USER} addresses; delete one first.`,
      );
    }
    const fields: AddressFields = {
      label: blankToNull(input.label),
      name: input.name.trim(),
      line1: input.line1.trim(),
      line2: blankToNull(input.line2),
      postalCode: input.postalCode.trim(),
      city: input.city.trim(),
      country: input.country,
      phone: blankToNull(input.phone),
      defaultShipping: input.defaultShipping ?? false,
      defaultBilling: input.defaultBilling ?? false,
    };
    if (fields.defaultShipping) await addressesRepo.clearDefault(tx, userId, "shipping", null);
    if (fields.defaultBilling) await addressesRepo.clearDefault(tx, userId, "billing", null);
    return addressesRepo.insertAddress(tx, newId(), userId, fields);
  });
}

export type UpdateAddressInput = Partial<CreateAddressInput>;

/** Changes one of the caller's addresses; someone else's is a 404, never a 403 (its existence stays hidden). */
export async function updateAddress(
  deps: MeDeps,
  userId: string,
  id: string,
  input: UpdateAddressInput,
): Promise<Address> {
  assertCountry(input.country);
  return withTx(deps.db, async (tx) => {
    if (!(await users.findUserForUpdate(tx, userId))) throw userNotFound(userId);
    const current = await addressesRepo.findAddress(tx, userId, id);
    if (!current) throw addressNotFound(id);
    const trim = (value: string | undefined) => value?.trim();
    const changes: Partial<AddressFields> = {
      label: input.label === undefined ? undefined : blankToNull(input.label),
      name: trim(input.name),
      line1: trim(input.line1),
      line2: input.line2 === undefined ? undefined : blankToNull(input.line2),
      postalCode: trim(input.postalCode),
      city: trim(input.city),
      country: input.country,
      phone: input.phone === undefined ? undefined : blankToNull(input.phone),
      defaultShipping: input.defaultShipping,
      defaultBilling: input.defaultBilling,
    };
    if (changes.defaultShipping && !current.defaultShipping) {
      await addressesRepo.clearDefault(tx, userId, "shipping", id);
    }
    if (changes.defaultBilling && !current.defaultBilling) {
      await addressesRepo.clearDefault(tx, userId, "billing", id);
    }
    return addressesRepo.updateAddress(tx, userId, id, changes);
  });
}

export async function deleteAddress(deps: MeDeps, userId: string, id: string): Promise<void> {
  if (!(await addressesRepo.deleteAddress(deps.db, userId, id))) throw addressNotFound(id);
}
