/**
 * A failure the user can act on. It is printed as one line, `comptoir: <message>`, without a stack
 * trace, and the process exits with `exitCode` (2 for bad input, 1 for everything else).
 */
export class UserError extends Error {
  override name = "UserError";

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Invalid configuration or arguments: exit code 2, like other command-line tools. */
export class UsageError extends UserError {
  override name = "UsageError";

  constructor(message: string) {
    super(message, 2);
  }
}
