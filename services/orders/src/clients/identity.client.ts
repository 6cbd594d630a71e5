import { identityHttp } from "@comptoir/contracts/http";
import { asUnavailable, defineClient, isProblemOf, type ServiceClient, UnauthorizedError } from "@comptoir/platform";

export type IdentityClient = ReturnType<typeof createIdentityClient>;

/** Who the customer is (e-mail, language), asked of identity with their own token. */
export function createIdentityClient(client: ServiceClient) {
  const api = defineClient(client, identityHttp.endpoints);
  return {
    me: (authorization: string): Promise<identityHttp.User> =>
      api.getMe({ headers: { authorization } }).catch((error) => {
        if (isProblemOf(error, identityHttp.getMe, "unauthorized", "invalid_token")) {
          throw new UnauthorizedError("The access token was refused by identity.", "invalid_token");
        }
        throw asUnavailable(error, "tell who the customer is");
      }),
  };
}
