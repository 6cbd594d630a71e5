import { connect } from "node:net";
import { CONNECT_TIMEOUT_MS } from "./agent";

/**
 * How a new connection to an instance went: it opened (its host is there, whatever its calls are
 * waiting for); it was refused (the host answered: the process is not listening, or is closing);
 * or nothing answered within the time (the host is cut off or gone: a SYN to it is never answered).
 */
export type ProbeResult = "open" | "refused" | "unreachable";

/** Tries to open a new TCP connection to `base` (an http URL), and closes it at once. */
export type Probe = (base: string) => Promise<ProbeResult>;

const UNREACHABLE = new Set(["EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EHOSTDOWN"]);

/**
 * The default probe: a plain TCP connection, within CONNECT_TIMEOUT_MS. A call waiting on a
 * keep-alive connection cannot tell a slow instance from one whose host was cut off (nothing comes
 * back either way); a new connection can: the kernel of a host that is there answers its SYN at once,
 * however busy the process.
 */
export const probeConnection: Probe = (base) => {
  const url = new URL(base);
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done("unreachable"), CONNECT_TIMEOUT_MS);
    socket.once("connect", () => done("open"));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      done(UNREACHABLE.has(error.code ?? "") ? "unreachable" : "refused"),
    );
  });
};
