import { createServiceClient, INTERACTIVE_CALLS, type ServiceClient, type ServiceTokens } from "@comptoir/platform";

/**
 * How cart calls catalog and inventory: a shopper waits for these on every read (the kernel's
 * INTERACTIVE_CALLS). The cart is shown anyway when they do not answer; an add needs catalog.
 */
export function cartServiceClient(target: string, urls: string | string[], auth?: ServiceTokens): ServiceClient {
  return createServiceClient({ target, baseUrls: urls, ...INTERACTIVE_CALLS, auth });
}
