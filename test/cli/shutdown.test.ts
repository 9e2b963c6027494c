/**
 * `docket serve` and `docket worker` as a supervisor runs them: real processes, the real OCR
 * pipeline, a signal while a job runs. They must stop taking work, finish or release the
 * running job, close everything and exit 0; their JSON logs carry job and document ids and
 * no secret.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase, type Database } from "../../src/db/database.js";
import { client } from "../api/support.js";
import { imageOnlyPdf, textImage } from "../fixtures/generate.js";
import { runCli, until, type CliRun } from "./support.js";

const ADMIN = { email: "ops@example.test", password: "ops-password-not-in-logs" };

interface Running {
  child: ChildProcess;
  stdout(): string;
  done: Promise<CliRun>;
}

/** Starts a long-running command (serve, worker) and hands back the process while it runs. */
async function start(args: string[], env: Record<string, string>): Promise<Running> {
  let running: Omit<Running, "done"> | undefined;
  const done = runCli(args, {
    env,
    timeoutMs: 120_000,
    onSpawn: (child, output) => {
      running = { child, stdout: output.stdout };
    },
  });
  return { ...running!, done };
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

async function scannedPdf(pages: number, seed: string): Promise<Uint8Array> {
  const page = await textImage(150, {
    lines: [`Shutdown test ${seed}`, "The quick brown fox jumps over the lazy dog."],
  });
  return imageOnlyPdf(Array.from({ length: pages }, () => page.image));
}

describe("graceful shutdown of serve and worker (real processes, real OCR)", () => {
  let dataDir: string;
  let database: Database;
  const env = () => ({
    DOCKET_DATA_DIR: dataDir,
    PORT: "0",
    DOCKET_WORKERS: "1",
    DOCKET_LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    DOCKET_ADMIN_EMAIL: ADMIN.email,
    DOCKET_ADMIN_PASSWORD: ADMIN.password,
  });
  const jobStatus = async (id: string) =>
    await database.db
      .selectFrom("jobs")
      .select(["status", "lease_owner"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "docket-cli-shutdown-"));
  });
  after(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "serve: SIGTERM while a job runs exits 0 with the job finished or released, never left processing",
    { timeout: 150_000 },
    async () => {
      const serve = await start(["serve"], env());
      const listening = await until(
        "serve to listen",
        () => logLines(serve.stdout()).find((l) => l.msg === "docket listening"),
        60_000,
      );
      const base = String(listening.address).replace("://[::1]", "://localhost");
      database = await openDatabase({ dataDir });

      const anon = client(base);
      const login = await anon.req("POST", "/api/v1/auth/login", { json: ADMIN });
      assert.equal(login.status, 200, login.text);
      const token = login.json.token as string;
      const upload = await client(base, token).upload(await scannedPdf(4, "serve"), "four-pages.pdf", {
        process: "true",
        ocr: "force",
      });
      assert.equal(upload.status, 201, upload.text);
      const jobId = upload.json.job.id as string;
      const documentId = upload.json.document.id as string;
      await until("the job to run", async () => (await jobStatus(jobId)).status === "processing", 60_000);

      const signalled = Date.now();
      serve.child.kill("SIGTERM");
      const run = await serve.done;
      assert.equal(run.code, 0, run.stderr);
      assert.ok(Date.now() - signalled < 30_000, "exits within the shutdown deadline");

      const job = await jobStatus(jobId);
      assert.ok(job.status === "completed" || job.status === "pending", `finished or released, not ${job.status}`);
      assert.equal(job.lease_owner, null);

      const logs = logLines(run.stdout);
      assert.ok(
        logs.some((l) => l.msg === "shutting down: no new work, handing running jobs back" && l.signal === "SIGTERM"),
      );
      assert.ok(logs.some((l) => l.msg === "shut down cleanly"));
      const jobLine = logs.find((l) => l.msg === "job completed" || l.msg === "job released at shutdown");
      assert.ok(jobLine, "the worker logged how the job ended");
      assert.equal(jobLine.jobId, jobId);
      assert.equal(jobLine.documentId, documentId);
      for (const secret of [ADMIN.password, token])
        assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), "no secret in the logs");
    },
  );

  it(
    "worker: SIGINT while a job runs exits 0; its log lines carry the job and document ids",
    { timeout: 150_000 },
    async () => {
      const worker = await start(["worker"], env());
      await until(
        "the worker to start",
        () => logLines(worker.stdout()).find((l) => l.msg === "worker started"),
        60_000,
      );
      const file = join(dataDir, "second.pdf");
      const { writeFile } = await import("node:fs/promises");
      await writeFile(file, await scannedPdf(4, "worker"));
      const added = await runCli(["add", file, "--ocr", "force", "--json"], {
        env: { DOCKET_DATA_DIR: dataDir, DOCKET_ADMIN_EMAIL: ADMIN.email, DOCKET_ADMIN_PASSWORD: ADMIN.password },
      });
      assert.equal(added.code, 0, added.stderr);
      const jobId = (JSON.parse(added.stdout) as { files: { job: { id: string } }[] }).files[0]!.job.id;
      // The worker runs whatever is queued (the job serve released, then this one); stop it mid-job.
      const running = await until(
        "a job to run in the worker",
        async () =>
          database.db
            .selectFrom("jobs")
            .select(["id", "document_id"])
            .where("status", "=", "processing")
            .executeTakeFirst(),
        60_000,
      );

      worker.child.kill("SIGINT");
      const run = await worker.done;
      assert.equal(run.code, 0, run.stderr);
      const rows = await database.db.selectFrom("jobs").select(["id", "status", "lease_owner"]).execute();
      assert.deepEqual(
        rows.filter((r) => r.status === "processing" || r.lease_owner !== null),
        [],
        "nothing left processing or leased",
      );
      assert.ok(rows.some((r) => r.id === jobId));

      const logs = logLines(run.stdout);
      assert.ok(
        logs.some((l) => l.msg === "shutting down: no new work, handing running jobs back" && l.signal === "SIGINT"),
      );
      const line = logs.find(
        (l) => (l.msg === "job completed" || l.msg === "job released at shutdown") && l.jobId === running.id,
      );
      assert.ok(line, `a log line about job ${running.id}`);
      assert.equal(line.documentId, running.document_id);
      assert.equal(line.component, "worker");
    },
  );
});
