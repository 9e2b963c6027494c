/**
 * npm run bench:recovery [-- --trials N] [--only sqlite|postgres] — how long after `kill -9`
 * of the worker running a job another worker resumes it, with the default tuning (lease
 * 10 s, heartbeat every 2.5 s, rescuer every 1 s: `docket worker`'s defaults). Per trial:
 * two real worker processes (test/support/worker-process.ts), a 30 s job, the one holding
 * it killed at a random point of its heartbeat cycle; measured from the kill to the status
 * saying "Worker stopped responding" and to the second attempt's claim. Prints a table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { DialectName } from "../src/db/database.js";
import { JobQueue } from "../src/engine/job-queue.js";
import { InProcessNotifier } from "../src/engine/notifier.js";
import { loadDocumentStatus, statusOf } from "../src/jobs/job-view.js";
import { createTestDatabase } from "../test/support/databases.js";
import { postgresSkipReason } from "../test/support/environment.js";
import { seedDocuments } from "../test/support/seed.js";

const WORKER = fileURLToPath(new URL("../test/support/worker-process.ts", import.meta.url));
const LEASE_MS = 10_000;
const RESCUE_MS = 1_000;

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const trials = Number(arg("trials") ?? 5);
const only = arg("only");

function startWorker(url: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", WORKER, url, "-", "1", String(LEASE_MS), String(RESCUE_MS)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const ready = new Promise<void>((resolve) =>
    createInterface({ input: child.stdout! }).on("line", (l) => l === "ready" && resolve()),
  );
  return { child, ready };
}

async function trial(dialect: DialectName): Promise<{ flaggedMs: number; resumedMs: number }> {
  const db = await createTestDatabase(dialect);
  const queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
  const workers = [startWorker(db.url), startWorker(db.url)];
  try {
    await Promise.all(workers.map((w) => w.ready));
    const { ownerId, documentIds } = await seedDocuments(db.database, 1);
    const row = await queue.enqueue({
      documentId: documentIds[0]!,
      ownerId,
      pipeline: "test",
      options: {
        ocr_mode: "document",
        resolution_mode: "base",
        languages: ["eng"],
        outputs: ["txt"],
        ocr: "auto",
        script: { work: "progress:300:100" },
      },
      plan: ["work"],
    });
    let owner: string | null = null;
    while (!owner) {
      owner = (await queue.getJob(row.id))?.leaseOwner ?? null;
      await sleep(20);
    }
    // Somewhere in the heartbeat cycle.
    await sleep(1_000 + Math.random() * (LEASE_MS / 4));
    const victim = workers.find((w) => owner.split(":")[1] === String(w.child.pid))!;
    const killed = performance.now();
    victim.child.kill("SIGKILL");
    let flaggedMs = NaN;
    for (;;) {
      const job = await queue.getJob(row.id);
      const at = performance.now() - killed;
      if (Number.isNaN(flaggedMs)) {
        const loaded = await loadDocumentStatus(db.database, { userId: ownerId, admin: false }, documentIds[0]!);
        if (/^Worker stopped responding/.test(statusOf(loaded ?? undefined).message ?? "")) flaggedMs = at;
      }
      if (job?.status === "processing" && job.attempt === 2) return { flaggedMs, resumedMs: at };
      if (at > 60_000) throw new Error("not resumed within 60 s");
      await sleep(20);
    }
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await db.drop();
  }
}

const fmt = (ms: number) => (ms / 1000).toFixed(1);
for (const dialect of ["sqlite", "postgres"] as const) {
  if (only && only !== dialect) continue;
  if (dialect === "postgres" && (await postgresSkipReason())) continue;
  const results: { flaggedMs: number; resumedMs: number }[] = [];
  for (let i = 0; i < trials; i++) results.push(await trial(dialect));
  const resumed = results.map((r) => r.resumedMs).sort((a, b) => a - b);
  const flagged = results.map((r) => r.flaggedMs).sort((a, b) => a - b);
  console.log(
    `${dialect}: ${trials} kills; resumed after ${resumed.map(fmt).join(", ")} s (max ${fmt(resumed.at(-1)!)} s); ` +
      `"stopped responding" shown after ${flagged.map(fmt).join(", ")} s; load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
  );
}
