/**
 * SIGTERM hands running jobs back at once (#15 item 5), with the real `docket worker`
 * process, the real OCR pipeline and a real database (a SQLite file, and PostgreSQL): the
 * worker exits 0 without waiting for OCR to finish, the job is pending again with its lease
 * cleared, its attempt not counted against it and its finished steps kept, every tesseract
 * process it ran is gone, and the next worker completes it.
 */
import assert from "node:assert/strict";
import { execFileSync, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { imageOnlyPdf, textImage } from "../fixtures/generate.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { runCli, until, type CliRun } from "./support.js";

const ADMIN = { email: "handback@example.test", password: "handback-password" };

function startWorker(env: Record<string, string>): { child: ChildProcess; done: Promise<CliRun> } {
  let child: ChildProcess | undefined;
  const done = runCli(["worker"], { env, timeoutMs: 300_000, onSpawn: (c) => (child = c) });
  return { child: child!, done };
}

/** The pids of `parent`'s children named tesseract. */
function tesseractChildren(parent: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(parent)], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm === "tesseract")
      .map(([pid]) => Number(pid));
  } catch {
    return [];
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const dialect of DIALECTS) {
  describe(`docket worker hands its job back on SIGTERM (${dialect})`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    const children: ChildProcess[] = [];
    const env = () => ({
      DOCKET_DATA_DIR: db.dataDir,
      DATABASE_URL: db.url,
      DOCKET_WORKERS: "1",
      DOCKET_LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      DOCKET_ADMIN_EMAIL: ADMIN.email,
      DOCKET_ADMIN_PASSWORD: ADMIN.password,
    });

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
    });
    after(async () => {
      if (skip) return;
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      await db.drop();
    });

    it(
      "exits 0 at once; the job is pending with no attempt spent; another worker completes it",
      { skip, timeout: 300_000 },
      async (t) => {
        const page = await textImage(200, { lines: ["Handed back at shutdown", "The quick brown fox jumps."] });
        const file = join(db.dataDir, "many-pages.pdf");
        await writeFile(file, await imageOnlyPdf(Array.from({ length: 24 }, () => page.image)));
        const added = await runCli(["add", file, "--ocr", "force", "--json"], { env: env() });
        assert.equal(added.code, 0, added.stderr);
        const jobId = (JSON.parse(added.stdout) as { files: { job: { id: string } }[] }).files[0]!.job.id;
        const jobRow = () =>
          db.database.db.selectFrom("jobs").selectAll().where("id", "=", jobId).executeTakeFirstOrThrow();
        const steps = async () =>
          Object.fromEntries(
            (
              await db.database.db
                .selectFrom("job_steps")
                .select(["name", "status", "attempts"])
                .where("job_id", "=", jobId)
                .execute()
            ).map((s) => [s.name, s]),
          );

        const first = startWorker(env());
        children.push(first.child);
        await until("OCR to run", async () => (await steps()).ocr?.status === "in_progress", 90_000);
        const seen = new Set<number>();
        // Catch a tesseract process at work if there is one (the CLI engine; tesseract.js runs
        // threads instead), to check it is gone after. Briefly: a fast machine reads pages
        // quickly, and the step must still be running when SIGTERM comes.
        const watchUntil = Date.now() + 500;
        while (seen.size === 0 && Date.now() < watchUntil) {
          for (const pid of tesseractChildren(first.child.pid!)) seen.add(pid);
          await new Promise((r) => setTimeout(r, 50));
        }
        t.diagnostic(`tesseract processes seen before SIGTERM: ${seen.size}`);
        const before = await jobRow();
        assert.equal(before.status, "processing");

        const signalled = Date.now();
        first.child.kill("SIGTERM");
        const run = await first.done;
        t.diagnostic(`exited ${Date.now() - signalled} ms after SIGTERM`);
        assert.equal(run.code, 0, run.stderr);

        const handed = await jobRow();
        assert.equal(handed.status, "pending");
        assert.equal(handed.lease_owner, null);
        assert.equal(handed.lease_expires_at, null);
        assert.ok(Number(handed.run_at) <= Date.now(), "runnable at once");
        assert.equal(
          handed.max_attempts - handed.attempt,
          before.max_attempts - before.attempt + 1,
          "the attempts left are as many as before the handed-back attempt began",
        );
        const afterHandback = await steps();
        assert.equal(afterHandback.ocr?.status, "pending", "OCR did not finish: the job was handed back mid-step");
        assert.equal(afterHandback.validate?.status, "success");
        const event = await db.database.db
          .selectFrom("job_events")
          .select(["message", "detail"])
          .where("job_id", "=", jobId)
          .where("step", "is", null)
          .where("status", "=", "pending")
          .orderBy("id", "desc")
          .executeTakeFirstOrThrow();
        assert.match(event.message ?? "", /^Handed back at shutdown by worker /);
        assert.match(event.detail ?? "", /"attempt_counted":false/);
        const deadline = Date.now() + 5_000;
        while ([...seen].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual([...seen].filter(alive), [], "no tesseract process outlives the worker");

        const second = startWorker(env());
        children.push(second.child);
        await until("the job to complete", async () => (await jobRow()).status === "completed", 150_000);
        const completed = await jobRow();
        assert.equal(completed.attempt, before.attempt + 1);
        const final = await steps();
        assert.equal(final.validate?.attempts, 1, "finished steps were not run again");
        assert.equal(final.ocr?.status, "success");
        second.child.kill("SIGTERM");
        assert.equal((await second.done).code, 0);
      },
    );
  });
}
