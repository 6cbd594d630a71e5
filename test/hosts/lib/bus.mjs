// The run's NATS JetStream consumers, read on the machine's server: before the end checks, every
// event must have been handled (none pending, none delivered and unacknowledged). An instance cut off
// while it held events gets them again only after the consumers' ack_wait (30 s by default), so the
// end checks wait for that rather than count those events as lost.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { sleep } from "../../chaos/lib/processes.mjs";

/** Sum of num_pending + num_ack_pending over the consumers of the streams <RUN>_*, and the details. */
async function backlog(jsm, run) {
  const prefix = `${run.toUpperCase()}_`;
  let total = 0;
  const parts = [];
  for await (const stream of jsm.streams.names()) {
    if (!stream.startsWith(prefix)) continue;
    for await (const c of jsm.consumers.list(stream)) {
      const n = c.num_pending + c.num_ack_pending;
      if (n > 0) parts.push(`${c.name} on ${stream}: ${c.num_pending} pending, ${c.num_ack_pending} unacknowledged`);
      total += n;
    }
  }
  return { total, parts };
}

/** Waits until the run's consumers have nothing left (or `timeoutMs`); returns {seconds, left, parts}. */
export async function waitForConsumers(run, { url = "nats://127.0.0.1:4222", timeoutMs = 75_000 } = {}) {
  const started = Date.now();
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (;;) {
      const { total, parts } = await backlog(jsm, run);
      if (total === 0 || Date.now() - started > timeoutMs)
        return { seconds: (Date.now() - started) / 1000, left: total, parts };
      await sleep(1000);
    }
  } finally {
    await nc.close();
  }
}
