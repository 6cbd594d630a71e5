import { Agent } from "undici";

/**
 * How long opening a connection to another service may take. Between services on one network a
 * connection opens in well under a millisecond; when it does not, the peer's host is gone (cut off:
 * no SYN-ACK ever comes) and waiting longer helps no one. undici ignores a request's abort signal while
 * its connection opens and defaults to 10 s: without this, a call with a 1.5 s timeout waited 10 s for
 * an instance whose host was cut off (test/hosts).
 */
export const CONNECT_TIMEOUT_MS = 1_000;

/** The connection pool of every call to another service (the service client, service tokens, revocations). */
export const internalAgent = new Agent({
  keepAliveTimeout: 10_000,
  connections: 64,
  connect: { timeout: CONNECT_TIMEOUT_MS },
});
