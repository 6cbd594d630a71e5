import type { Db } from "@comptoir/platform";
import { currentVersion } from "../domain/version.use-cases";

/**
 * The reports' answers, serialized, kept per instance under the read model's version they were
 * computed after (migration 022: a new token in every transaction that applies events). An answer is
 * reused only while the version is the same: the same figures, without the queries and the
 * serialization (a year of sales by day is 365 rows and ~120 KB). The version is read before the
 * answer is computed, so an answer is never older than the version it is kept under. The key is the
 * report's inputs after every check (period, grouping, the channels the caller may read): callers
 * with the same rights share it, nobody reads what they could not. Least recently used answers go
 * first beyond `maxBytes`.
 */
export class AnswerCache {
  private readonly answers = new Map<string, { version: string; body: string }>();
  private bytes = 0;

  constructor(
    private readonly db: Db,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** The answer under `key` for the model's current version, computed (and kept) if there is none. */
  async answer(key: string, compute: () => Promise<string>): Promise<string> {
    const version = await currentVersion(this.db);
    const kept = this.answers.get(key);
    if (kept?.version === version) {
      // Most recently used: last in the map's order.
      this.answers.delete(key);
      this.answers.set(key, kept);
      return kept.body;
    }
    const body = await compute();
    this.keep(key, { version, body });
    return body;
  }

  private keep(key: string, answer: { version: string; body: string }): void {
    const previous = this.answers.get(key);
    if (previous) {
      this.answers.delete(key);
      this.bytes -= previous.body.length;
    }
    if (answer.body.length > this.maxBytes / 8) return;
    this.answers.set(key, answer);
    this.bytes += answer.body.length;
    for (const [oldest, { body }] of this.answers) {
      if (this.bytes <= this.maxBytes) break;
      this.answers.delete(oldest);
      this.bytes -= body.length;
    }
  }
}
