import { CREDENTIAL_HOLDERS, type CredentialHolder, DEFAULT_INTERNAL_SECRET } from "@comptoir/contracts";
import { deriveServiceCredential } from "@comptoir/platform/service-credentials";
import { dataDirectory, readSecret } from "../config/launcher.config";
import { UsageError, UserError } from "../errors";
import { findSecrets, SECRETS_FILE } from "../launcher/secrets-file";
import type { EventsContext } from "./events.command";

export const SECRETS_USAGE = `Usage: comptoir secrets <command>

Commands:
  credential <service>   print the SERVICE_CREDENTIAL of a service account or of the gateway
                         (${CREDENTIAL_HOLDERS.join(", ")}):
                         HMAC-SHA256 of its name under identity's INTERNAL_SECRET, read from the
                         environment, else from the data folder's ${SECRETS_FILE} (COMPTOIR_DATA,
                         default ./.data) that \`comptoir up\` generated
`;

/**
 * `comptoir secrets credential <service>`: a service's own credential for distributed mode
 * (`SERVICE_CREDENTIAL=$(comptoir secrets credential cart)`), on one line and nothing else.
 */
export function secretsCommand(args: string[], context: Pick<EventsContext, "env" | "cwd" | "out" | "err">): number {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    for (const line of SECRETS_USAGE.trimEnd().split("\n")) (command ? context.out : context.err)(line);
    return command ? 0 : 2;
  }
  if (command !== "credential")
    throw new UsageError(`secrets: unknown command "${command}" (see comptoir secrets --help)`);
  const [service, ...extra] = rest;
  if (!service || !(CREDENTIAL_HOLDERS as readonly string[]).includes(service)) {
    const got = service ? `no credential for "${service}"` : "which service?";
    throw new UsageError(`secrets credential: ${got} — one of: ${CREDENTIAL_HOLDERS.join(", ")}`);
  }
  if (extra.length > 0) throw new UsageError(`secrets credential: unexpected argument "${extra[0]}"`);

  let internalSecret = readSecret(context.env, "INTERNAL_SECRET");
  if (internalSecret === undefined) {
    const dataDir = dataDirectory(context.env, context.cwd);
    internalSecret = findSecrets(dataDir)?.secrets.internalSecret;
    if (internalSecret === undefined) {
      throw new UserError(
        `secrets credential: set INTERNAL_SECRET (identity's), or run it where \`comptoir up\` keeps ${SECRETS_FILE} (COMPTOIR_DATA, now ${dataDir})`,
      );
    }
  }
  if (internalSecret === DEFAULT_INTERNAL_SECRET) {
    context.err("comptoir: INTERNAL_SECRET is the development default: production refuses it, and this credential");
  }
  context.out(deriveServiceCredential(internalSecret, service as CredentialHolder));
  return 0;
}
