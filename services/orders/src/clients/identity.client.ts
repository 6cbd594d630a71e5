import { type ServiceClient, UnauthorizedError, UnavailableError } from "@comptoir/platform";

export interface Customer {
  id: string;
  email: string;
  language: "fr" | "en";
}

/** Who the customer is (e-mail, language), asked of identity with their own token. */
export interface IdentityClient {
  me(authorization: string): Promise<Customer>;
}

export function createIdentityClient(client: ServiceClient): IdentityClient {
  return {
    async me(authorization) {
      const res = await client.request<Customer>({
        method: "GET",
        path: "/api/identity/me",
        headers: { authorization },
      });
      if (res.status === 401) throw new UnauthorizedError("The access token was refused by identity.", "invalid_token");
      if (res.status !== 200) {
        throw new UnavailableError(`The identity service could not tell who the customer is (status ${res.status}).`, {
          retryAfterSeconds: 1,
        });
      }
      return { id: res.body.id, email: res.body.email, language: res.body.language === "en" ? "en" : "fr" };
    },
  };
}
