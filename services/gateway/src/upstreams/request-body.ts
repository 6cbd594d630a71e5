import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

/** The client went away (or broke its upload) while its request body was being forwarded. */
export class ClientBodyError extends Error {
  override name = "ClientBodyError";
}

/** The body grew past the route's limit while streaming (chunked, or longer than announced). */
export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
  }
}

/**
 * The client's request body, forwarded as a stream to one attempt. It reads the client's socket only
 * once the upstream connection asks for data, so an attempt that fails to connect leaves the body
 * untouched for another instance (`started` tells whether it was touched). Destroying it — undici
 * does when an attempt fails — detaches it from the client's request without destroying that.
 * Past `limitBytes` it fails with PayloadTooLargeError (the proxy answers 413) and lets the rest of
 * the client's upload drain unread, so the client still reads the answer.
 */
export class RequestBody extends Readable {
  started = false;
  private ended = false;
  private received = 0;

  constructor(
    private readonly source: IncomingMessage,
    private readonly limitBytes: number = Number.POSITIVE_INFINITY,
  ) {
    super();
  }

  override _read(): void {
    if (!this.started) {
      this.started = true;
      this.source.on("data", this.onData);
      this.source.on("end", this.onEnd);
      this.source.on("error", this.onError);
      this.source.on("close", this.onClose);
    }
    this.source.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    // Too large, or already partly forwarded (the upstream answered before the upload ended — a 403
    // does — or failed during it): no other instance can have it, so the rest drains unread and the
    // client's keep-alive connection stays usable. Paused, its next request would wait forever.
    if (error instanceof PayloadTooLargeError || this.started) this.source.resume();
    else if (!this.ended) this.source.pause();
    callback(error);
  }

  private readonly onData = (chunk: Buffer) => {
    this.received += chunk.length;
    if (this.received > this.limitBytes) {
      this.destroy(new PayloadTooLargeError(this.limitBytes));
      return;
    }
    if (!this.push(chunk)) this.source.pause();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.detach();
    this.push(null);
  };
  private readonly onError = (error: Error) => {
    this.destroy(new ClientBodyError(`the client's request body failed: ${error.message}`));
  };
  private readonly onClose = () => {
    if (!this.ended) this.destroy(new ClientBodyError("the client closed the connection during the upload"));
  };

  private detach(): void {
    this.source.off("data", this.onData);
    this.source.off("end", this.onEnd);
    this.source.off("error", this.onError);
    this.source.off("close", this.onClose);
  }
}

/** A request carries a body when it declares a non-zero length or a transfer coding. */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  if (length !== undefined) return length !== "0";
  return request.headers["transfer-encoding"] !== undefined;
}
