import { type FieldError, InvalidError } from "@comptoir/platform";

export const MIN_PASSWORD_LENGTH = 10;
/** Longer inputs are refused by the route schemas (hashing cost is bounded). */
export const MAX_PASSWORD_LENGTH = 256;

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
