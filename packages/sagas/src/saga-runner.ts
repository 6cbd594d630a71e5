import { type Db, type Tx, withTx } from "@comptoir/platform/db";
import { type Logger, startPeriodic } from "@comptoir/platform";
import { inSpan } from "@comptoir/platform/tracing";
import * as repo from "./sagas.repo";
import type { SagaRow } from "./sagas.repo";

/**
 * A step's answer that it did nothing and never will for this input (the callee refused: out of
 * stock, unknown variant...). The saga compensates the steps before it. Any other error is taken
 * as "no answer": the step is tried again later, and since its outcome is unknown, every step must
 * be idempotent (keyed by the saga's id).
 */
export class StepRefused extends Error {
  override name = "StepRefused";
  constructor(
    message: string,
    readonly code?: string,
    /** What the caller may show of the refusal (e.g. the short lines of an out-of-stock answer); JSON. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** One `{run, compensate}` step. `run` returns what `compensate` needs (JSON), kept in the saga's row. */
export interface SagaStep<I> {
  name: string;
  /** `tx`: the transaction that records the saga completed, for a last step `inCompletion` (otherwise undefined). */
  run(input: I, outputs: Readonly<Record<string, unknown>>, tx?: Tx): Promise<unknown>;
  /** Undoes a finished `run`, given its output; idempotent. Steps without one need no undoing. */
  compensate?(input: I, output: unknown): Promise<void>;
  /**
   * The saga's point of no return (e.g. the payment captured). Once this step has run, the saga goes
   * forward only: a later step that gets no answer (a connection lost, a 5xx, a timeout, an open
   * circuit — an outage, not a decision) is retried with backoff, and resumed after a crash, until it
   * answers — never compensated after `maxAttempts`. Only a refusal (StepRefused: the callee's
   * considered "no") of a later step still turns the saga back. Before it has run, a step without an
   * answer is compensated after `maxAttempts` as usual (the pivot itself included).
   */
  pivot?: boolean;
  /**
   * false: the step's success is not saved on its own; the saga's next save (the next step's, or its
   * refusal's) carries its output and its history entry. One write fewer; a crash in between runs it
   * again when the saga is resumed, which a step allows anyway (idempotent: the same answer again).
   * (Its `afterStep` hook then has no `saved` phase.)
   */
  checkpoint?: boolean;
  /**
   * The last step only: `run` gets the transaction that records the saga completed, and runs in it
   * after that record (and `onCompleted`, which then sees the outputs of the steps before it), so that
   * the step's writes and the saga's completion commit together or not at all — one transaction
   * fewer, no "done but not saved" state to resume from, and whatever the step locks is held to the
   * commit only. A refusal or an error rolls it all back; the saga then goes on as usual (compensates,
   * or retries). Its output is in the row `execute` returns, not kept in the saga's (nothing is left to undo).
   */
  inCompletion?: boolean;
}

export interface SagaDefinition<I> {
  kind: string;
  steps: SagaStep<I>[];
  /** In the transaction that marks the saga completed (e.g. the business document's state and event). */
  onCompleted(tx: Tx, saga: SagaRow & { input: I }): Promise<void>;
  /** In the transaction that marks the saga failed, after every compensation ran. */
  onFailed(tx: Tx, saga: SagaRow & { input: I }, reason: string): Promise<void>;
}

export interface SagaSettings {
  /** How long an instance holds a saga it works on before another may take it over. */
  leaseMs: number;
  /**
   * Attempts of a step that gets no answer before the saga gives up and compensates (before its
   * pivot step has run; after it, steps are retried until they answer: see `SagaStep.pivot`).
   */
  maxAttempts: number;
  /** First retry delay, doubled each time up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_SAGA_SETTINGS: SagaSettings = {
  leaseMs: 30_000,
  maxAttempts: 8,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
};

/**
 * For a saga a caller waits on (a checkout, a till sale): a step that gets no answer is tried 3
 * times within a few seconds, then the saga turns back and the caller hears why.
 */
export const WAITED_ON_SAGA_SETTINGS: Partial<SagaSettings> = {
  maxAttempts: 3,
  retryBaseMs: 250,
  retryMaxMs: 5_000,
};

export interface SagaRunnerDeps {
  db: Db;
  logger: Logger;
  /** This process's name (INSTANCE_ID): the lease holder. */
  instance: string;
  settings?: Partial<SagaSettings>;
  /**
   * Tests simulate a crash from here: called when a step's call has returned (`called`, not saved
   * yet) and once it is saved (`saved`); and with step `started` when a saga started by this
   * process is about to run its first step.
   */
  afterStep?: (saga: {
    id: string;
    step: string;
    action: "run" | "compensate";
    phase: "called" | "saved";
  }) => Promise<void>;
}

/** A saga this process recorded and holds: `execute(started)` after the commit runs it without claiming it again. */
export interface StartedSaga {
  readonly row: SagaRow;
  /** When this process took the lease (before the insert: on the safe side). */
  readonly leasedAt: number;
}

export interface SagaRunner {
  /**
   * Records a new saga in the caller's transaction, held by this process; `execute(started)` after
   * the commit carries it out. (Not executed — a crash in between — it is resumed when its lease ends.)
   */
  start<I>(tx: Tx, kind: string, id: string, input: I): Promise<StartedSaga>;
  /**
   * Runs the saga (an id, or one just started here) as far as it can go now: to completed or failed, or until a step gets no answer
   * (it is then retried later by the worker). Returns its row afterwards; does nothing when another
   * live instance holds it — or, with `dueOnly`, when its next attempt is not due yet (a caller
   * waiting for the outcome may call it again and again without bypassing the retry delay).
   */
  execute(saga: string | StartedSaga, options?: { dueOnly?: boolean }): Promise<SagaRow | undefined>;
  /** Carries on every saga that is due and held by no live instance (after a crash, a retry delay). */
  resumeDue(limit?: number): Promise<number>;
  /** Calls resumeDue every `intervalMs` until the returned stop is awaited. */
  startWorker(intervalMs: number): () => Promise<void>;
}

/** Superseded: another instance took the saga over while this one was slow; stop quietly. */
class LeaseLost extends Error {}

export function createSagaRunner(deps: SagaRunnerDeps, definitions: SagaDefinition<any>[]): SagaRunner {
  const settings = { ...DEFAULT_SAGA_SETTINGS, ...deps.settings };
  const byKind = new Map(definitions.map((d) => [d.kind, d]));
  // Sagas this process is working on: the database lease lets the same instance re-claim its own
  // sagas (to resume at once after a restart), so two calls in one process are kept apart here.
  const inFlight = new Map<string, Promise<SagaRow | undefined>>();
  const log = deps.logger.child({ component: "saga" });

  const retryDelay = (attempts: number) =>
    Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));

  // When this process last took or renewed the lease of each saga it works on.
  const leasedAt = new Map<string, number>();

  async function saveEntries(
    saga: SagaRow,
    progress: repo.SagaProgress,
    entry: Omit<repo.SagaHistoryEntry, "at"> | Omit<repo.SagaHistoryEntry, "at">[],
    finish?: (tx: Tx) => Promise<void>,
    /** The caller's transaction (a last step run in the completion's): saved and finished in it. */
    inTx?: Tx,
  ): Promise<SagaRow> {
    const entries = Array.isArray(entry) ? entry : [entry];
    if (inTx) {
      if (!(await repo.saveProgress(inTx, saga.id, deps.instance, settings.leaseMs, progress, entries))) {
        throw new LeaseLost();
      }
      await finish?.(inTx);
    } else if (finish) {
      // The end: the saga's last state and the business outcome (e.g. the order paid and its event) commit together.
      await withTx(deps.db, async (tx) => {
        if (!(await repo.saveProgress(tx, saga.id, deps.instance, settings.leaseMs, progress, entries))) {
          throw new LeaseLost();
        }
        await finish(tx);
      });
    } else if (!(await repo.saveProgress(deps.db, saga.id, deps.instance, settings.leaseMs, progress, entries))) {
      throw new LeaseLost();
    }
    leasedAt.set(saga.id, Date.now());
    return { ...saga, ...progress };
  }

  /**
   * Before a step's call: if this process may have been stalled (a long pause, a GC, a frozen
   * machine) since it last held the lease, it renews the lease first — and stops if another
   * instance has taken the saga over meanwhile, instead of acting for it a second time.
   */
  async function holdLease(saga: SagaRow): Promise<void> {
    if (Date.now() - (leasedAt.get(saga.id) ?? 0) < settings.leaseMs / 3) return;
    if (!(await repo.renewLease(deps.db, saga.id, deps.instance, settings.leaseMs))) throw new LeaseLost();
    leasedAt.set(saga.id, Date.now());
  }

  async function runClaimed(saga: SagaRow, claimedAt: number): Promise<SagaRow> {
    const definition = byKind.get(saga.kind);
    if (!definition) throw new Error(`no saga definition for kind ${saga.kind}`);
    const steps = definition.steps;
    leasedAt.set(saga.id, claimedAt);
    // History entries of steps done but not saved on their own (checkpoint: false): the next save writes them first.
    let unsaved: Omit<repo.SagaHistoryEntry, "at">[] = [];
    // (Kept until the save has committed: in the caller's transaction, until that transaction has.)
    const save: typeof saveEntries = async (current, progress, entry, finish, inTx) => {
      const saved = await saveEntries(current, progress, [...unsaved, ...[entry].flat()], finish, inTx);
      if (!inTx) unsaved = [];
      return saved;
    };
    for (;;) {
      await holdLease(saga);
      if (saga.status === "running") {
        const step = steps[saga.step];
        if (!step) {
          return save(
            saga,
            { ...saga, status: "completed", reason: null, attempts: 0 },
            { step: "saga", action: "run", outcome: "done", detail: "completed" },
            (tx) => definition.onCompleted(tx, saga as SagaRow & { input: never }),
          );
        }
        try {
          if (saga.step === steps.length - 1 && step.inCompletion) {
            // The last step in the completion's transaction: the saga recorded completed first (the lease
            // checked before any work), then the step, whose writes hold their locks to the commit only.
            const current = saga;
            const completed = await withTx(deps.db, async (tx) => {
              const saved = await save(
                current,
                { ...current, step: current.step + 1, status: "completed", reason: null, attempts: 0 },
                [
                  { step: step.name, action: "run", outcome: "done", detail: null },
                  { step: "saga", action: "run", outcome: "done", detail: "completed" },
                ],
                (inTx) => definition.onCompleted(inTx, current as SagaRow & { input: never }),
                tx,
              );
              const output = await stepSpan(current, step.name, "run", () =>
                step.run(current.input, current.outputs, tx),
              );
              await deps.afterStep?.({ id: current.id, step: step.name, action: "run", phase: "called" });
              return { ...saved, outputs: { ...saved.outputs, [step.name]: output ?? null } };
            });
            unsaved = [];
            await deps.afterStep?.({ id: saga.id, step: step.name, action: "run", phase: "saved" });
            return completed;
          }
          const output = await stepSpan(saga, step.name, "run", () => step.run(saga.input, saga.outputs));
          await deps.afterStep?.({ id: saga.id, step: step.name, action: "run", phase: "called" });
          if (saga.step === steps.length - 1) {
            // The last step: saved with the completion, in one transaction (one save fewer; a crash
            // before it runs the last step again, which every step allows).
            const outputs = { ...saga.outputs, [step.name]: output ?? null };
            const done = { ...saga, outputs };
            const completed = await save(
              saga,
              { ...saga, step: saga.step + 1, outputs, status: "completed", reason: null, attempts: 0 },
              [
                { step: step.name, action: "run", outcome: "done", detail: null },
                { step: "saga", action: "run", outcome: "done", detail: "completed" },
              ],
              (tx) => definition.onCompleted(tx, done as SagaRow & { input: never }),
            );
            await deps.afterStep?.({ id: saga.id, step: step.name, action: "run", phase: "saved" });
            return completed;
          }
          const next = {
            ...saga,
            step: saga.step + 1,
            outputs: { ...saga.outputs, [step.name]: output ?? null },
            attempts: 0,
          };
          if (step.checkpoint === false) {
            // Not saved on its own: the next save carries it (a crash before runs it again).
            unsaved.push({ step: step.name, action: "run", outcome: "done", detail: null });
            saga = next;
            continue;
          }
          saga = await save(saga, next, { step: step.name, action: "run", outcome: "done", detail: null });
          await deps.afterStep?.({ id: saga.id, step: step.name, action: "run", phase: "saved" });
        } catch (error) {
          if (error instanceof LeaseLost) throw error;
          const message = (error as Error).message;
          if (error instanceof StepRefused) {
            saga = await save(
              saga,
              {
                ...saga,
                status: "compensating",
                step: saga.step - 1,
                reason: `${step.name}: ${message}`,
                failure: { step: step.name, code: error.code ?? "refused", message, details: error.details ?? null },
                attempts: 0,
              },
              { step: step.name, action: "run", outcome: "failed", detail: message },
            );
            continue;
          }
          const attempts = saga.attempts + 1;
          const pivot = steps.slice(0, saga.step).find((s) => s.pivot);
          if (pivot && attempts >= settings.maxAttempts) {
            // Past the point of no return: an outage is waited out, never compensated.
            const logAt = attempts % settings.maxAttempts === 0 ? "warn" : "info";
            log[logAt](
              { sagaId: saga.id, step: step.name, attempts, pivot: pivot.name, err: error },
              "saga step past its pivot kept failing: retrying forward",
            );
            return save(
              saga,
              { ...saga, attempts, retryAfterMs: retryDelay(attempts) },
              { step: step.name, action: "run", outcome: "retry", detail: message },
            );
          }
          if (attempts >= settings.maxAttempts) {
            log.warn(
              { sagaId: saga.id, step: step.name, attempts, err: error },
              "saga step kept failing: compensating",
            );
            saga = await save(
              saga,
              {
                ...saga,
                status: "compensating",
                uncertain: true,
                attempts: 0,
                reason: `${step.name}: no answer after ${attempts} attempts (${message})`,
                failure: { step: step.name, code: "no_answer", message, details: null },
              },
              { step: step.name, action: "run", outcome: "failed", detail: message },
            );
            continue;
          }
          log.info({ sagaId: saga.id, step: step.name, attempts, err: error }, "saga step failed: will retry");
          return save(
            saga,
            { ...saga, attempts, retryAfterMs: retryDelay(attempts) },
            { step: step.name, action: "run", outcome: "retry", detail: message },
          );
        }
        continue;
      }

      // Compensating: undo the finished steps in reverse order.
      const step = steps[saga.step];
      if (!step) {
        const reason = saga.reason ?? "failed";
        return save(
          saga,
          { ...saga, status: "failed", attempts: 0 },
          { step: "saga", action: "compensate", outcome: "done", detail: "failed" },
          (tx) => definition.onFailed(tx, saga as SagaRow & { input: never }, reason),
        );
      }
      try {
        let output = saga.outputs[step.name];
        let outcome: "done" | "skipped" = "done";
        if (saga.uncertain) {
          // Its outcome is unknown: run it again (idempotent: the same answer if it did happen),
          // so that what it did can be undone. Refused means it never happened.
          try {
            output = await stepSpan(saga, step.name, "run again", () => step.run(saga.input, saga.outputs));
          } catch (error) {
            if (!(error instanceof StepRefused)) throw error;
            outcome = "skipped";
          }
        }
        if (outcome === "done" && step.compensate) {
          const compensate = step.compensate;
          await stepSpan(saga, step.name, "compensate", () => compensate(saga.input, output));
        } else outcome = "skipped";
        await deps.afterStep?.({ id: saga.id, step: step.name, action: "compensate", phase: "called" });
        saga = await save(
          saga,
          { ...saga, step: saga.step - 1, uncertain: false, attempts: 0 },
          { step: step.name, action: "compensate", outcome, detail: null },
        );
        await deps.afterStep?.({ id: saga.id, step: step.name, action: "compensate", phase: "saved" });
      } catch (error) {
        if (error instanceof LeaseLost) throw error;
        const message = (error as Error).message;
        if (error instanceof StepRefused) {
          // The undo itself was refused (e.g. the goods were already sold): nothing will change
          // that by retrying. Say so loudly, leave that step to a person, and undo the steps before
          // it all the same (a refused restock must not leave the money taken, nor the order
          // pending): the saga ends failed, with every refusal in its reason.
          log.error({ sagaId: saga.id, step: step.name, err: error }, "saga compensation refused: needs attention");
          const reason = `${saga.reason ?? "failed"}; undoing ${step.name} was refused (${message}): needs attention`;
          saga = await save(
            saga,
            { ...saga, step: saga.step - 1, uncertain: false, reason, attempts: 0 },
            { step: step.name, action: "compensate", outcome: "failed", detail: message },
          );
          continue;
        }
        // No answer: compensations are retried until they succeed (the stock must come back).
        const attempts = saga.attempts + 1;
        log.warn({ sagaId: saga.id, step: step.name, attempts, err: error }, "saga compensation failed: will retry");
        return save(
          saga,
          { ...saga, attempts, retryAfterMs: retryDelay(attempts) },
          { step: step.name, action: "compensate", outcome: "retry", detail: message },
        );
      }
    }
  }

  async function executeOnce(id: string, started: StartedSaga | undefined, dueOnly: boolean) {
    let claimed = started?.row;
    let claimedAt = started?.leasedAt ?? 0;
    if (claimed) {
      await deps.afterStep?.({ id, step: "started", action: "run", phase: "saved" });
    } else {
      claimedAt = Date.now();
      claimed = await repo.claimSaga(deps.db, id, deps.instance, settings.leaseMs, dueOnly);
      if (!claimed) return repo.findSaga(deps.db, id);
    }
    try {
      return await runClaimed(claimed, claimedAt);
    } catch (error) {
      if (error instanceof LeaseLost) {
        log.warn({ sagaId: id }, "saga taken over by another instance");
        return repo.findSaga(deps.db, id);
      }
      throw error;
    }
  }

  function execute(saga: string | StartedSaga, options: { dueOnly?: boolean } = {}): Promise<SagaRow | undefined> {
    const id = typeof saga === "string" ? saga : saga.row.id;
    const running = inFlight.get(id);
    if (running) return running;
    const started = typeof saga === "string" ? undefined : saga;
    const promise = executeOnce(id, started, options.dueOnly ?? false).finally(() => {
      inFlight.delete(id);
      leasedAt.delete(id);
    });
    inFlight.set(id, promise);
    return promise;
  }

  async function resumeDue(limit = 20): Promise<number> {
    const ids = (await repo.dueSagas(deps.db, deps.instance, limit)).filter((id) => !inFlight.has(id));
    for (const id of ids) {
      try {
        await execute(id);
      } catch (error) {
        log.error({ sagaId: id, err: error }, "saga could not be resumed");
      }
    }
    return ids.length;
  }

  return {
    async start(tx, kind, id, input) {
      if (!byKind.has(kind)) throw new Error(`no saga definition for kind ${kind}`);
      const leasedAt = Date.now();
      const row = await repo.insertSaga(tx, { id, kind, input }, deps.instance, settings.leaseMs);
      return { row, leasedAt };
    },
    execute,
    resumeDue,
    startWorker(intervalMs) {
      return startPeriodic(resumeDue, intervalMs, {
        immediately: true,
        onError: (error) => log.error({ err: error }, "saga worker tick failed"),
      });
    },
  };
}

/**
 * A saga step's call in a span of its own ("saga checkout run reserve-stock"), child of the request
 * that runs the saga (a checkout) or, for a saga resumed by the worker, the start of a new trace: the
 * step's calls to other services are its children.
 */
function stepSpan<T>(saga: SagaRow, step: string, action: string, call: () => Promise<T>): Promise<T> {
  return inSpan(
    `saga ${saga.kind} ${action} ${step}`,
    {
      attributes: {
        "comptoir.saga.kind": saga.kind,
        "comptoir.saga.id": saga.id,
        "comptoir.saga.step": step,
        "comptoir.saga.action": action,
        "comptoir.saga.attempt": saga.attempts + 1,
      },
    },
    call,
  );
}
