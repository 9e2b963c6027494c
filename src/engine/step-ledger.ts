import type { Database } from "../db/database.js";
import { writeTransaction } from "../db/transaction.js";
import type { JobStepRow } from "./rows.js";
import { foldStepEvents, type StepEventInput } from "./step-events.js";

/** Fields of a step row that must match what its events say. */
const COMPARED: readonly (keyof JobStepRow)[] = [
  "position",
  "status",
  "attempts",
  "job_attempt",
  "started_at",
  "finished_at",
  "error_code",
  "error_message",
  "detail",
  "progress_done",
  "progress_total",
];

export interface StepMismatch {
  jobId: string;
  step: string;
  /** "missing_row": events describe a step the table lacks; "extra_row": a row no event created; "field": values differ. */
  kind: "missing_row" | "extra_row" | "field";
  field?: string;
  table?: unknown;
  events?: unknown;
}

export interface RebuildReport {
  jobs: number;
  changedJobs: number;
  changedRows: number;
  dryRun: boolean;
  mismatches: StepMismatch[];
}

function normalise(value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}

function compare(jobId: string, table: Map<string, JobStepRow>, derived: Map<string, JobStepRow>): StepMismatch[] {
  const out: StepMismatch[] = [];
  for (const [name, want] of derived) {
    const have = table.get(name);
    if (!have) {
      out.push({ jobId, step: name, kind: "missing_row" });
      continue;
    }
    for (const field of COMPARED) {
      const a = normalise(have[field]);
      const b = normalise(want[field]);
      if (a !== b) out.push({ jobId, step: name, kind: "field", field, table: a, events: b });
    }
  }
  for (const name of table.keys()) if (!derived.has(name)) out.push({ jobId, step: name, kind: "extra_row" });
  return out;
}

/**
 * `job_steps` is a cache of `job_events`: these functions rebuild it from the events and
 * prove the two agree. Jobs are processed in batches by id so memory stays flat whatever
 * the number of jobs. Jobs that are running are compared too: their writes are
 * transactional, so a consistent read of one job sees both tables agree.
 */
export class StepLedger {
  constructor(private readonly database: Database) {}

  private async *jobBatches(batchSize: number, jobIds?: readonly string[]): AsyncGenerator<string[]> {
    if (jobIds) {
      for (let i = 0; i < jobIds.length; i += batchSize) yield jobIds.slice(i, i + batchSize);
      return;
    }
    let after = "";
    for (;;) {
      const rows = await this.database.db
        .selectFrom("jobs")
        .select("id")
        .where("id", ">", after)
        .orderBy("id")
        .limit(batchSize)
        .execute();
      if (rows.length === 0) return;
      yield rows.map((r) => r.id);
      after = rows.at(-1)!.id;
    }
  }

  private async load(jobIds: string[]) {
    const { db } = this.database;
    const [steps, events] = await Promise.all([
      db.selectFrom("job_steps").selectAll().where("job_id", "in", jobIds).execute(),
      db
        .selectFrom("job_events")
        .select(["job_id", "step", "status", "attempt", "created_at", "detail"])
        .where("job_id", "in", jobIds)
        .where("step", "is not", null)
        .orderBy("id")
        .execute(),
    ]);
    const tables = new Map<string, Map<string, JobStepRow>>();
    const streams = new Map<string, StepEventInput[]>();
    for (const id of jobIds) {
      tables.set(id, new Map());
      streams.set(id, []);
    }
    for (const s of steps) tables.get(s.job_id)!.set(s.name, s);
    for (const e of events) {
      streams.get(e.job_id)!.push({
        jobId: e.job_id,
        step: e.step!,
        status: e.status,
        attempt: e.attempt,
        createdAt: Number(e.created_at),
        detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>),
      });
    }
    return { tables, streams };
  }

  /**
   * The jobs that ids name: a job id its job, a document id every job of that document (the
   * ledger is about every job's history, not only the latest). `unknown` lists ids that are
   * neither (a deleted job has events but no rows: there is nothing to verify or rebuild).
   */
  async jobsOf(ids: readonly string[]): Promise<{ jobIds: string[]; unknown: string[] }> {
    const { db } = this.database;
    const jobIds = new Set<string>();
    const known = new Set<string>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const [jobs, ofDocuments, documents] = await Promise.all([
        db.selectFrom("jobs").select("id").where("id", "in", chunk).execute(),
        db.selectFrom("jobs").select("id").where("document_id", "in", chunk).orderBy("id").execute(),
        db.selectFrom("documents").select("id").where("id", "in", chunk).execute(),
      ]);
      for (const j of [...jobs, ...ofDocuments]) jobIds.add(j.id);
      for (const r of [...jobs, ...documents]) known.add(r.id);
    }
    return { jobIds: [...jobIds], unknown: unique.filter((id) => !known.has(id)) };
  }

  /** Every difference between the step table and the fold of the events. Empty means they agree. */
  async verify(options: { batchSize?: number; jobIds?: readonly string[] } = {}): Promise<StepMismatch[]> {
    const mismatches: StepMismatch[] = [];
    for await (const ids of this.jobBatches(options.batchSize ?? 500, options.jobIds)) {
      const { tables, streams } = await this.load(ids);
      for (const id of ids) mismatches.push(...compare(id, tables.get(id)!, foldStepEvents(streams.get(id)!)));
    }
    return mismatches;
  }

  /**
   * Rewrites `job_steps` from the events (of `jobIds` only, when given). With `dryRun`
   * nothing is written and the report says what would change. Each batch is written in its
   * own short transaction that first locks its job rows (PostgreSQL; SQLite's write lock
   * covers it), so no transition of those jobs interleaves, and re-reads them inside it: a
   * job that moved meanwhile is rebuilt from its newest events, one deleted meanwhile is left
   * alone, and no other job is touched.
   */
  async rebuild(
    options: { dryRun?: boolean; batchSize?: number; jobIds?: readonly string[] } = {},
  ): Promise<RebuildReport> {
    const dryRun = options.dryRun ?? false;
    const report: RebuildReport = { jobs: 0, changedJobs: 0, changedRows: 0, dryRun, mismatches: [] };
    for await (const ids of this.jobBatches(options.batchSize ?? 500, options.jobIds)) {
      report.jobs += ids.length;
      if (dryRun) {
        const { tables, streams } = await this.load(ids);
        for (const id of ids) this.count(report, compare(id, tables.get(id)!, foldStepEvents(streams.get(id)!)));
        continue;
      }
      await writeTransaction(this.database, async (trx) => {
        let lock = trx.selectFrom("jobs").select("id").where("id", "in", ids).orderBy("id");
        if (this.database.dialect === "postgres") lock = lock.forUpdate();
        const present = (await lock.execute()).map((r) => r.id);
        if (present.length === 0) return;
        const ledger = new StepLedger({ ...this.database, db: trx });
        const { tables, streams } = await ledger.load(present);
        for (const id of present) {
          const derived = foldStepEvents(streams.get(id)!);
          const diff = compare(id, tables.get(id)!, derived);
          if (diff.length === 0) continue;
          this.count(report, diff);
          await trx.deleteFrom("job_steps").where("job_id", "=", id).execute();
          const rows = [...derived.values()];
          if (rows.length > 0) await trx.insertInto("job_steps").values(rows).execute();
        }
      });
    }
    return report;
  }

  private count(report: RebuildReport, diff: StepMismatch[]): void {
    if (diff.length === 0) return;
    report.changedJobs++;
    report.changedRows += new Set(diff.map((d) => d.step)).size;
    report.mismatches.push(...diff);
  }
}
