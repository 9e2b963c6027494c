import type { Database } from "../db/database.js";
import { preparedRunner } from "../db/prepared.js";
import { writeTransaction, type Tx } from "../db/transaction.js";
import { applyPostgres, applySqlite, applyTransitions, type SqlRunner } from "./apply-transition.js";
import { LeaseLostError, StateConflictError, type Applied, type Transition } from "./transition.js";

/** Work a transition must commit with (artifact rows, the document's page count). */
export type ExtraWrites = (trx: Tx) => Promise<void>;

interface Request {
  t: Transition;
  extra: ExtraWrites | undefined;
  resolve(applied: Applied): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 64;

/**
 * PostgreSQL: batches in flight at once. A commit waits for its WAL flush; with several
 * batches in flight the server flushes them together, so the wait is shared instead of
 * queued. SQLite has one writer: one batch at a time.
 */
const POSTGRES_IN_FLIGHT = 2;

/**
 * Group commit for the running jobs' transitions: while one commit is in flight, the
 * transitions the other slots ask for wait, then go together in ONE transaction (on
 * PostgreSQL one statement), so concurrent slots share a round trip and a WAL flush instead
 * of paying one each. An idle process commits at once: batching adds no latency.
 *
 * Each transition keeps its own outcome: one whose fence no longer matches writes nothing
 * and rejects with LeaseLostError while the others commit. If a batch fails as a whole
 * (an unexpected database error), its transitions are retried one by one, so one bad
 * transition cannot fail the others.
 */
export class GroupCommit {
  private readonly waiting: Request[] = [];
  private inFlight = 0;
  /** Jobs with a transition in flight: a job's next transition waits for its previous one. */
  private readonly busyJobs = new Set<string>();
  private readonly maxInFlight: number;
  private readonly run: SqlRunner | null;

  constructor(private readonly database: Database) {
    this.run = database.dialect === "postgres" ? preparedRunner(database) : null;
    this.maxInFlight = this.run ? POSTGRES_IN_FLIGHT : 1;
  }

  submit(t: Transition, extra?: ExtraWrites): Promise<Applied> {
    return new Promise<Applied>((resolve, reject) => {
      this.waiting.push({ t, extra, resolve, reject });
      this.schedulePump();
    });
  }

  private pumpScheduled = false;

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.inFlight++;
      for (const r of batch) this.busyJobs.add(r.t.job.id);
      void this.commitBatch(batch).finally(() => {
        for (const r of batch) this.busyJobs.delete(r.t.job.id);
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** Up to MAX_BATCH requests of distinct jobs with nothing in flight (a job's transitions commit in order). */
  private takeBatch(): Request[] {
    const batch: Request[] = [];
    const jobs = new Set<string>();
    for (let k = 0; k < this.waiting.length && batch.length < MAX_BATCH;) {
      const request = this.waiting[k]!;
      if (jobs.has(request.t.job.id) || this.busyJobs.has(request.t.job.id)) {
        k++;
        continue;
      }
      jobs.add(request.t.job.id);
      batch.push(request);
      this.waiting.splice(k, 1);
    }
    return batch;
  }

  private async commitBatch(batch: Request[]): Promise<void> {
    const run = this.run;
    if (!run) {
      await this.settle(batch, () => this.applySqliteBatch(batch));
      return;
    }
    // PostgreSQL: plain transitions in one statement; one with extra writes needs a transaction of its own.
    const plain = batch.filter((r) => !r.extra);
    await Promise.all([
      this.settle(plain, () =>
        applyPostgres(
          run,
          plain.map((r) => r.t),
        ),
      ),
      ...batch
        .filter((r) => r.extra)
        .map((r) =>
          this.settle([r], () =>
            writeTransaction(this.database, async (trx) => {
              const applied = await applyTransitions(trx, [r.t]);
              await r.extra!(trx);
              return applied;
            }),
          ),
        ),
    ]);
  }

  /** Applies a batch that commits or fails as a whole, then answers each request. */
  private async settle(batch: Request[], apply: () => Promise<(Applied | null)[]>): Promise<void> {
    if (batch.length === 0) return;
    let results: (Applied | null)[];
    try {
      results = await apply();
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      // Nothing of the batch committed: again one by one, so the failing one fails alone.
      else await Promise.all(batch.map((request) => this.commitBatch([request])));
      return;
    }
    results.forEach((result, k) => {
      const { t, resolve, reject } = batch[k]!;
      if (result) resolve(result);
      else reject(t.fence ? new LeaseLostError(t.job.id) : new StateConflictError(t.job.id));
    });
  }

  private applySqliteBatch(batch: Request[]): Promise<(Applied | null)[]> {
    return writeTransaction(this.database, async (trx) => {
      const results: (Applied | null)[] = [];
      for (const { t, extra } of batch) {
        const result = await applySqlite(trx, t);
        if (result && extra) await extra(trx);
        results.push(result);
      }
      return results;
    });
  }
}
