import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { JobQueue } from "../../src/engine/job-queue.js";
import { InProcessNotifier } from "../../src/engine/notifier.js";
import { StepLedger } from "../../src/engine/step-ledger.js";
import type { JobOptions } from "../../src/domain/types.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const WORKER_SCRIPT = fileURLToPath(new URL("../support/worker-process.ts", import.meta.url));

interface Run {
  jobId: string;
  step: string;
  attempt: number;
  pid: number;
  phase: "start" | "end";
  t: number;
}

interface WorkerHandle {
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves with the first "step" line matching the predicate. */
  onStep(match: (jobId: string, step: string, attempt: number) => boolean): Promise<{ jobId: string; attempt: number }>;
  exited: Promise<number | null>;
}

function startWorker(url: string, runsFile: string, concurrency: number, leaseMs: number): WorkerHandle {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", WORKER_SCRIPT, url, runsFile, String(concurrency), String(leaseMs)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const waiters: {
    match: (j: string, s: string, a: number) => boolean;
    resolve: (v: { jobId: string; attempt: number }) => void;
  }[] = [];
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line === "ready") resolveReady();
    const [kind, jobId, step, attempt] = line.split(" ");
    if (kind !== "step") return;
    for (const w of [...waiters]) {
      if (w.match(jobId!, step!, Number(attempt))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve({ jobId: jobId!, attempt: Number(attempt) });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    ready,
    exited,
    onStep: (match) => new Promise((resolve) => waiters.push({ match, resolve })),
  };
}

function readRuns(file: string): Run[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Run);
}

const opts = (script: Record<string, string> = {}): JobOptions => ({
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
  script,
});

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

for (const dialect of DIALECTS) {
  describe(`worker processes on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let queue: JobQueue;
    const children: ChildProcess[] = [];

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
    });
    after(async () => {
      if (skip) return;
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      await db.drop();
    });

    const countByStatus = async (ids: string[]) => {
      const rows = await db.database.db.selectFrom("jobs").select(["id", "status"]).where("id", "in", ids).execute();
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    };

    it(
      "4 worker processes run 2,000 jobs: each once per attempt, none lost, never two at once",
      { skip, timeout: 180_000 },
      async () => {
        const runsFile = join(db.dataDir, "runs-bulk.jsonl");
        const { ownerId, documentIds } = await seedDocuments(db.database, 2_000);
        const workers = Array.from({ length: 4 }, () => startWorker(db.url, runsFile, 4, 5_000));
        children.push(...workers.map((w) => w.child));
        await Promise.all(workers.map((w) => w.ready));
        const ids: string[] = [];
        for (const [i, documentId] of documentIds.entries()) {
          // a sprinkle of transient failures so some jobs take two attempts
          const row = await queue.enqueue({
            documentId,
            ownerId,
            pipeline: "test",
            options: opts(i % 50 === 0 ? { work: "transient_once" } : {}),
            plan: ["work"],
            priority: i % 11,
          });
          ids.push(row.id);
        }
        await waitFor("all completed", async () => (await countByStatus(ids)).completed === ids.length, 150_000);
        for (const w of workers) w.child.kill("SIGTERM");
        await Promise.all(workers.map((w) => w.exited));

        const runs = readRuns(runsFile);
        const starts = runs.filter((r) => r.phase === "start");
        const byJob = new Map<string, Run[]>();
        for (const r of runs) byJob.set(r.jobId, [...(byJob.get(r.jobId) ?? []), r]);
        assert.equal(byJob.size, 2_000, "every job ran");
        for (const [jobId, jobRuns] of byJob) {
          const attempts = jobRuns.filter((r) => r.phase === "start").map((r) => r.attempt);
          assert.equal(
            new Set(attempts).size,
            attempts.length,
            `job ${jobId} ran twice in one attempt: ${attempts.join(",")}`,
          );
          // never two at once: each start comes after the previous run's end
          const ordered = [...jobRuns].sort((a, b) => a.t - b.t);
          for (let i = 0; i < ordered.length; i += 2) {
            assert.equal(ordered[i]!.phase, "start");
            assert.equal(ordered[i + 1]?.phase, "end", `job ${jobId} overlapped`);
          }
        }
        const twice = ids.filter((_, i) => i % 50 === 0).length;
        assert.equal(starts.length, 2_000 + twice, "exactly one extra run per transient failure");
        assert.ok(new Set(starts.map((r) => r.pid)).size >= 2, "work was spread over processes");
        assert.deepEqual(await new StepLedger(db.database).verify({ jobIds: ids }), []);
      },
    );

    it(
      "kill -9 mid-job: the job is recovered after its lease expires and completes",
      { skip, timeout: 60_000 },
      async () => {
        const runsFile = join(db.dataDir, "runs-kill.jsonl");
        const { ownerId, documentIds } = await seedDocuments(db.database, 1);
        const victim = startWorker(db.url, runsFile, 1, 1_000);
        children.push(victim.child);
        await victim.ready;
        const row = await queue.enqueue({
          documentId: documentIds[0]!,
          ownerId,
          pipeline: "test",
          options: opts({ work: "sleep:3000" }),
          plan: ["work"],
        });
        await victim.onStep((jobId) => jobId === row.id);
        victim.child.kill("SIGKILL");
        await victim.exited;
        const rescuer = startWorker(db.url, runsFile, 1, 1_000);
        children.push(rescuer.child);
        await waitFor("completed", async () => (await queue.getJob(row.id))?.status === "completed", 30_000);
        const job = (await queue.getJob(row.id))!;
        assert.equal(job.attempt, 2);
        const events = await db.database.db
          .selectFrom("job_events")
          .select(["status", "message"])
          .where("job_id", "=", row.id)
          .where("step", "is", null)
          .orderBy("id")
          .execute();
        assert.ok(
          events.some((e) => e.status === "pending" && /stopped responding/.test(e.message ?? "")),
          "an event says why the job was requeued",
        );
        rescuer.child.kill("SIGTERM");
        await rescuer.exited;
      },
    );

    it(
      "a paused worker that lost its lease cannot overwrite the newer attempt (zombie fencing)",
      { skip, timeout: 60_000 },
      async () => {
        const runsFile = join(db.dataDir, "runs-zombie.jsonl");
        const { ownerId, documentIds } = await seedDocuments(db.database, 1);
        const zombie = startWorker(db.url, runsFile, 1, 800);
        children.push(zombie.child);
        await zombie.ready;
        const row = await queue.enqueue({
          documentId: documentIds[0]!,
          ownerId,
          pipeline: "test",
          options: opts({ work: "sleep:1500" }),
          plan: ["work"],
        });
        await zombie.onStep((jobId) => jobId === row.id);
        zombie.child.kill("SIGSTOP");
        const healthy = startWorker(db.url, runsFile, 1, 5_000);
        children.push(healthy.child);
        await waitFor(
          "completed by the second attempt",
          async () => (await queue.getJob(row.id))?.status === "completed",
          30_000,
        );
        const completed = (await queue.getJob(row.id))!;
        assert.equal(completed.attempt, 2);
        // Wake the zombie: its step finishes, and every write it tries must be refused.
        zombie.child.kill("SIGCONT");
        await sleep(2_500);
        const after = (await queue.getJob(row.id))!;
        assert.equal(after.status, "completed");
        assert.equal(after.attempt, 2);
        assert.equal(after.version, completed.version, "nothing was written after completion");
        const steps = await queue.getSteps(row.id);
        assert.equal(steps[0]!.jobAttempt, 2);
        const zombieRuns = readRuns(runsFile).filter((r) => r.pid === zombie.child.pid);
        assert.ok(
          zombieRuns.some((r) => r.phase === "start" && r.attempt === 1),
          "the zombie had started attempt 1",
        );
        for (const c of [zombie, healthy]) c.child.kill("SIGTERM");
        await Promise.all([zombie.exited, healthy.exited]);
      },
    );
  });
}
