import type { DatabaseSession } from "@comptoir/platform/db";
import type { Logger } from "@comptoir/platform";

/** FNV-1a 32 bit as a signed int4 (what pg_advisory_lock(int, int) takes). */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** The two-int advisory lock key of a named thing (kept apart from migrations' one-bigint key). */
export function advisoryKey(kind: string, name: string): [number, number] {
  return [hash32(`comptoir:${kind}`), hash32(name)];
}

export interface LeaseOptions {
  /** The instance's database session: its advisory locks are the leases. */
  session: DatabaseSession;
  /**
   * The application_name pattern (LIKE) of the sessions of every instance of the service: the
   * group's members, since every instance of a service subscribes the same groups.
   */
  members: string;
  group: string;
  /** Every partition key the group reads: `<stream>/<partition>`. */
  keys: readonly string[];
  logger: Logger;
  rebalanceMs?: number;
  /** Called when this instance gains a partition; must start reading it. */
  onAcquire: (key: string) => void;
  /** Called to give a partition back; resolves once nothing of it is being handled any more. */
  onRelease: (key: string) => Promise<void>;
}

/**
 * Which instance of a consumer group reads which partition. Each instance holds one session with
 * its service's database (DatabaseSession, shared by all its groups and the outbox relay's LISTEN)
 * and takes partitions with session advisory locks: a partition is read by exactly one instance,
 * in order, and is freed at once if that instance's process or connection dies. Instances count
 * each other from pg_stat_activity (the sessions' application_name) and each takes its fair share,
 * so N instances split the partitions and a survivor takes over a dead one's within a tick. When
 * the session is lost (a PostgreSQL restart), its locks are gone: the instance stops reading
 * everything at once and takes its share again once the session is back.
 */
export class PartitionLeases {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private paused = false;

  private unsubscribe: (() => void) | undefined;
  private failing = false;

  constructor(private readonly options: LeaseOptions) {}

  start(): void {
    const every = this.options.rebalanceMs ?? 1000;
    this.unsubscribe = this.options.session.onLost(() => this.lost());
    const loop = () => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .then(() => {
          if (this.failing) this.options.logger.info({ group: this.options.group }, "consumer lease checks work again");
          this.failing = false;
        })
        .catch((error: unknown) => {
          // Once per outage, not once a second.
          if (!this.failing) {
            this.options.logger.warn({ err: error, group: this.options.group }, "consumer lease check failed");
          }
          this.failing = true;
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, every);
        });
    };
    loop();
  }

  get owned(): readonly string[] {
    return [...this.held];
  }

  private queue: Promise<void> = Promise.resolve();

  /** One round: give back partitions beyond the fair share (or all when paused), take free ones up to it. */
  tick(): Promise<void> {
    // Rounds never overlap (the timer's and one asked for by a replay).
    const next = this.queue.then(() => this.round());
    this.queue = next.catch(() => {});
    return next;
  }

  private async round(): Promise<void> {
    const session = this.options.session;
    if (this.stopped) return;
    const { rows } = await session.query<{ members: string; paused: boolean | null }>(
      `SELECT (SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE $1) AS members,
              (SELECT paused FROM consumer_groups WHERE consumer_group = $2) AS paused`,
      [this.options.members, this.options.group],
    );
    this.paused = rows[0]!.paused === true;
    const members = Math.max(1, Number(rows[0]!.members));
    const share = this.paused ? 0 : Math.ceil(this.options.keys.length / members);
    if (this.held.size > share) {
      // Given back together: each worker finishes its current event, in parallel.
      const extra = [...this.held].slice(share);
      for (const key of extra) this.held.delete(key);
      await Promise.all(extra.map((key) => this.options.onRelease(key)));
      for (const key of extra) await this.unlock(key);
    }
    if (this.held.size >= share) return;
    const free = this.options.keys.filter((key) => !this.held.has(key));
    // A random start spreads instances that start together over different partitions.
    const start = Math.floor(Math.random() * free.length);
    for (let i = 0; i < free.length && this.held.size < share; i++) {
      const key = free[(start + i) % free.length]!;
      const { rows: got } = await session.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1, $2) AS locked",
        advisoryKey("partition", `${this.options.group}/${key}`),
      );
      if (got[0]!.locked) {
        this.held.add(key);
        this.options.onAcquire(key);
      }
    }
  }

  private async unlock(key: string): Promise<void> {
    await this.options.session.query(
      "SELECT pg_advisory_unlock($1, $2)",
      advisoryKey("partition", `${this.options.group}/${key}`),
    );
  }

  /** The session is gone and its locks with it: stop reading everything it held. */
  private lost(): void {
    const lost = [...this.held];
    this.held.clear();
    if (lost.length)
      this.options.logger.warn(
        { group: this.options.group, partitions: lost.length },
        "consumer leases lost with the database session",
      );
    for (const key of lost) void this.options.onRelease(key);
  }

  /** Stops reading; the locks are given back when the session closes (or now, if it stays open). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.ticking;
    const held = [...this.held];
    this.held.clear();
    await Promise.all(held.map((key) => this.options.onRelease(key)));
    for (const key of held) await this.unlock(key).catch(() => {});
  }
}
