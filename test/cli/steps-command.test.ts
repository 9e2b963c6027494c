/**
 * `docket steps verify` and `docket steps rebuild` as a person runs them: the real CLI in a
 * subprocess against a real SQLite data dir (and PostgreSQL when reachable).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { createEngine } from "../../src/engine/engine.js";
import { PipelineRegistry } from "../../src/engine/pipeline.js";
import { StepLedger } from "../../src/engine/step-ledger.js";
import { Worker } from "../../src/engine/worker.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";
import { cliCommand } from "./support.js";
import { createTestPipeline } from "../support/test-pipeline.js";

function docket(db: TestDatabase, ...args: string[]) {
  const env = {
    ...process.env,
    DOCKET_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url.startsWith("sqlite:") ? "" : db.url,
    LOG_LEVEL: "silent",
  };
  const result = spawnSync(process.execPath, [...cliCommand(), ...args], {
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

for (const dialect of DIALECTS) {
  describe(`docket steps on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    const jobIds: string[] = [];

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      if (dialect === "sqlite") {
        // The CLI finds SQLite at <DOCKET_DATA_DIR>/docket.db, which is where the test database lives.
        assert.ok(db.url.endsWith("/docket.db"));
      }
      const log = silentLogger();
      const engine = await createEngine({ database: db.database, log });
      const registry = new PipelineRegistry();
      registry.register(createTestPipeline({ steps: ["a", "b", "c"] }));
      const worker = new Worker({
        queue: engine.queue,
        registry,
        notifier: engine.notifier,
        log,
        concurrency: 2,
        pollMs: 50,
      });
      worker.start();
      const { ownerId, documentIds } = await seedDocuments(db.database, 5);
      for (const [i, documentId] of documentIds.entries()) {
        const options = {
          ocr_mode: "document" as const,
          resolution_mode: "base" as const,
          languages: ["eng"],
          outputs: ["txt" as const],
          ocr: "auto" as const,
          script: i === 0 ? { b: "fail" } : {},
        };
        jobIds.push(
          (await engine.queue.enqueue({ documentId, ownerId, pipeline: "test", options, plan: ["a", "b", "c"] })).id,
        );
      }
      for (;;) {
        const rows = await db.database.db.selectFrom("jobs").select("status").execute();
        if (rows.every((r) => r.status === "completed" || r.status === "failed")) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await worker.stop();
      await engine.close();
    });
    after(async () => {
      if (!skip) await db.drop();
    });

    it("verify finds nothing on a healthy database", { skip }, () => {
      const run = docket(db, "steps", "verify");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /job_steps agrees with job_events/);
    });

    it(
      "verify reports a mismatch planted in the database; rebuild --dry-run changes nothing; rebuild repairs it",
      { skip },
      async () => {
        const victim = jobIds[1]!;
        await db.database.db
          .updateTable("job_steps")
          .set({ status: "failure", error_code: "planted" })
          .where("job_id", "=", victim)
          .where("name", "=", "b")
          .execute();

        const verify = docket(db, "steps", "verify");
        assert.equal(verify.code, 1, "a mismatch exits 1");
        assert.match(
          verify.stdout,
          new RegExp(`job ${victim} step b: status is "failure" in job_steps, "success" by the events`),
        );
        const json = JSON.parse(docket(db, "steps", "verify", "--json").stdout) as {
          mismatches: { jobId: string; field: string }[];
        };
        assert.deepEqual(json.mismatches.map((m) => [m.jobId, m.field]).sort(), [
          [victim, "error_code"],
          [victim, "status"],
        ]);

        const before = await db.database.db
          .selectFrom("job_steps")
          .selectAll()
          .orderBy("job_id")
          .orderBy("name")
          .execute();
        const dry = docket(db, "steps", "rebuild", "--dry-run", "--batch-size", "2");
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /would change 1 of 5 jobs \(1 step rows\)/);
        assert.deepEqual(
          await db.database.db.selectFrom("job_steps").selectAll().orderBy("job_id").orderBy("name").execute(),
          before,
        );

        const rebuild = docket(db, "steps", "rebuild");
        assert.equal(rebuild.code, 0, rebuild.stderr);
        assert.match(rebuild.stdout, /changed 1 of 5 jobs/);
        assert.equal(docket(db, "steps", "verify").code, 0);
      },
    );

    it("verify and rebuild take job or document ids and touch only those jobs", { skip }, async () => {
      const [a, b] = [jobIds[2]!, jobIds[3]!];
      const documentOf = async (jobId: string) =>
        (
          await db.database.db
            .selectFrom("jobs")
            .select("document_id")
            .where("id", "=", jobId)
            .executeTakeFirstOrThrow()
        ).document_id!;
      for (const victim of [a, b])
        await db.database.db
          .updateTable("job_steps")
          .set({ attempts: 7 })
          .where("job_id", "=", victim)
          .where("name", "=", "a")
          .execute();

      const byJob = docket(db, "steps", "verify", a);
      assert.equal(byJob.code, 1);
      assert.match(byJob.stdout, /1 mismatch\(es\) \(1 job\)/);
      assert.match(byJob.stdout, new RegExp(`job ${a} step a: attempts`));
      assert.doesNotMatch(byJob.stdout, new RegExp(b));
      const byDocument = JSON.parse(docket(db, "steps", "verify", "--json", await documentOf(b)).stdout) as {
        jobs: string[];
        mismatches: { jobId: string }[];
      };
      assert.deepEqual(byDocument.jobs, [b]);
      assert.deepEqual(
        byDocument.mismatches.map((m) => m.jobId),
        [b],
      );

      const rebuild = docket(db, "steps", "rebuild", a);
      assert.equal(rebuild.code, 0, rebuild.stderr);
      assert.match(rebuild.stdout, /changed 1 of 1 jobs \(1 step rows\)/);
      const rest = docket(db, "steps", "verify");
      assert.equal(rest.code, 1, "the other job was not touched");
      assert.match(rest.stdout, new RegExp(`job ${b} step a: attempts is 7`));
      assert.doesNotMatch(rest.stdout, new RegExp(a), "the job rebuilt agrees now");
      await new StepLedger(db.database).rebuild({ jobIds: [b] });

      const unknown = docket(db, "steps", "verify", "no-such-id");
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no job or document with id no-such-id/);
    });

    it("usage errors exit 2 with help", { skip }, () => {
      const run = docket(db, "steps", "rebuild", "--no-such-flag");
      assert.equal(run.code, 2);
      assert.match(run.stderr, /unknown option/);
    });
  });
}
