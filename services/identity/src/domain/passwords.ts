import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { type FieldError, InvalidError } from "@comptoir/platform";

/** `Algorithm.Argon2id` (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2 as Algorithm;
/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 10;
/** Longer inputs are refused by the route schemas (hashing cost is bounded). */
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies `password` against a throw-away hash made with the same parameters, so that a login for an
 * unknown e-mail costs as long as one with a wrong password. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("comptoir-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
  return false;
}

/** What is wrong with a password, one message per broken rule; empty when it is acceptable. */
export function passwordProblems(password: string, email?: string): string[] {
  const problems: string[] = [];
  const characters = [...password];
  if (characters.length < MIN_PASSWORD_LENGTH) {
    problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (characters.length > 0 && characters.every((c) => c === characters[0])) {
    problems.push("must not repeat a single character");
  }
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) {
    problems.push("must not be the e-mail address");
  }
  return problems;
}

/** Throws a 400 `weak_password` problem naming every broken rule, on `field`. */
export function assertPasswordPolicy(password: string, email: string | undefined, field = "password"): void {
  const problems = passwordProblems(password, email);
  if (problems.length === 0) return;
  const errors: FieldError[] = problems.map((message) => ({ in: "body", field, message }));
  throw new InvalidError("weak_password", `The password ${problems.join(", ")}.`, { errors });
}
