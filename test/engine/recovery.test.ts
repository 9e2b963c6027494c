/**
 * Recovery a person can see (#15 item 5), with real worker processes: after kill -9 the
 * status stops showing the dead worker's last progress and says the worker stopped
 * responding and recovery is pending, with a newer version (so long-polls and SSE learn
 * it); another worker then resumes the job, and the status shows its progress again.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { loadDocumentStatusVersioned, statusOf } from "../../src/jobs/job-view.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { options } from "../support/queue-harness.js";
import { seedDocuments } from "../support/seed.js";
import { waitFor as waitUntil } from "../support/wait-for.js";

/** Real worker processes start slowly under load: wait up to 30 s by default, polling every 50 ms. */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000) =>
  waitUntil(what, probe, timeoutMs, 50);

const WORKER_SCRIPT = fileURLToPath(new URL("../support/worker-process.ts", import.meta.url));

function startWorker(
  url: string,
  leaseMs: number,
): { child: ChildProcess; started: Promise<void>; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER_SCRIPT, url, "-", "1", String(leaseMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = new Promise<void>((resolve) =>
    createInterface({ input: child.stdout! }).on("line", (line) => line === "ready" && resolve()),
  );
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return { child, started, exited };
}

for (const dialect of DIALECTS) {
  describe(`visible recovery after kill -9 on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let engine: Engine;
    const children: ChildProcess[] = [];

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      // This process plays the API node: it runs the rescuer, as `docket serve --no-workers` does.
      engine = await createEngine({ database: db.database, log: silentLogger(), rescueIntervalMs: 200, feed: false });
      engine.rescuer.start();
    });
    after(async () => {
      if (skip) return;
      for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
      await engine.close();
      await db.drop();
    });

    it(
      "the status says the worker stopped responding until another worker resumes the job",
      { skip, timeout: 90_000 },
      async () => {
        const { ownerId, documentIds } = await seedDocuments(db.database, 1);
        const documentId = documentIds[0]!;
        const scope = { userId: ownerId, admin: false };
        const status = async () => {
          const read = await loadDocumentStatusVersioned(db.database, scope, documentId);
          return statusOf(read?.loaded ?? undefined, Date.now(), read?.versionFloor ?? 0);
        };
        // Two worker processes; whichever claims the job is killed, the other resumes it.
        const workers = [startWorker(db.url, 2_000), startWorker(db.url, 2_000)];
        children.push(...workers.map((w) => w.child));
        await Promise.all(workers.map((w) => w.started));
        const row = await engine.queue.enqueue({
          documentId,
          ownerId,
          pipeline: "test",
          options: options({ work: "progress:30:100" }),
          plan: ["work"],
        });
        const before = await waitFor("progress", async () => {
          const s = await status();
          return /^item \d+ of 30$/.test(s.message ?? "") ? s : undefined;
        });
        const owner = (await engine.queue.getJob(row.id))!.leaseOwner ?? "";
        const victim = workers.find((w) => owner.split(":")[1] === String(w.child.pid))!;
        const survivor = workers.find((w) => w !== victim)!;
        assert.ok(victim, `the job's lease owner ${owner} is one of the two workers`);

        victim.child.kill("SIGKILL");
        await victim.exited;
        const lost = await waitFor("the recovery-pending status", async () => {
          const s = await status();
          return /^Worker stopped responding; recovery pending \(expected within \d+ s\)$/.test(s.message ?? "")
            ? s
            : undefined;
        });
        assert.equal(lost.status, "processing");
        // The rescuer's event moves the version, so a client waiting on the old one is woken.
        const flagged = await waitFor("the unresponsive event", async () =>
          db.database.db
            .selectFrom("job_events")
            .select(["id", "message", "attempt"])
            .where("job_id", "=", row.id)
            .where("status", "=", "unresponsive")
            .executeTakeFirst(),
        );
        assert.equal(flagged.attempt, 1);
        assert.match(flagged.message ?? "", /stopped responding \(no heartbeat for \d+ s\); recovery pending/);
        const afterFlag = await status();
        assert.ok(afterFlag.version > before.version, "the version moved past the last progress");
        assert.ok(afterFlag.version >= Number(flagged.id));

        const resumed = await waitFor("progress of the second attempt", async () => {
          const s = await status();
          const job = await engine.queue.getJob(row.id);
          return job?.attempt === 2 && /^item \d+ of 30$/.test(s.message ?? "") ? s : undefined;
        });
        assert.equal(resumed.status, "processing");
        assert.ok(resumed.version > afterFlag.version);
        await waitFor("completed", async () => (await engine.queue.getJob(row.id))?.status === "completed", 60_000);
        const events = await db.database.db
          .selectFrom("job_events")
          .select(["status", "message"])
          .where("job_id", "=", row.id)
          .where("step", "is", null)
          .orderBy("id")
          .execute();
        // On a very busy machine a heartbeat late by half the (test's short) lease may also be
        // flagged before the kill; what matters is the flag between the kill and the rescue.
        const statuses = events.map((e) => e.status);
        const rescue = statuses.lastIndexOf("pending");
        assert.equal(statuses[rescue - 1], "unresponsive", "flagged before it was recovered");
        assert.deepEqual(
          statuses.filter((s) => s !== "unresponsive"),
          ["pending", "processing", "pending", "processing", "completed"],
        );
        assert.match(events[rescue]!.message ?? "", /stopped responding \(lease expired\) during attempt 1/);
        survivor.child.kill("SIGTERM");
        await survivor.exited;
      },
    );
  });
}
