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

/**
 * Keyed writes whose body is at most this large (by Content-Length) are read whole before the
 * first attempt, so that they can be sent again to another instance: 64 KiB covers every JSON
 * write of the platform; an upload larger than that is streamed, and sent once.
 */
export const RESENDABLE_BODY_BYTES = 64 * 1024;

/** The declared Content-Length when it is a plain number of at most `limit` bytes; undefined otherwise. */
export function smallBodyLength(request: IncomingMessage, limit: number): number | undefined {
  const header = request.headers["content-length"];
  if (header === undefined || request.headers["transfer-encoding"] !== undefined || !/^\d{1,9}$/.test(header)) {
    return undefined;
  }
  const length = Number(header);
  return length <= limit ? length : undefined;
}

/**
 * Reads the whole body of a request announced as `length` bytes (smallBodyLength). ClientBodyError
 * when the client breaks its upload or closes the connection before the end; PayloadTooLargeError
 * when more than announced comes (the rest drains unread).
 */
export function readWholeBody(source: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const done = (error?: Error) => {
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onError);
      source.off("close", onClose);
      if (error) {
        source.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > length) done(new PayloadTooLargeError(length));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: Error) => done(new ClientBodyError(`the client's request body failed: ${error.message}`));
    const onClose = () => {
      if (!source.complete) done(new ClientBodyError("the client closed the connection during the upload"));
    };
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onError);
    source.on("close", onClose);
    source.resume();
  });
}
