/**
 * npm run bench:queue [-- --jobs N] [--slots N] [--processes N] [--only postgres|sqlite]
 * [--throughput-only | --latency-only] [--no-contender] — throughput, latency and status lookup; a partial
 * run prints its table but leaves docs/BENCHMARKS.md alone.
 *
 *  1. No-op jobs per second with 1 and 4 worker processes, on SQLite and PostgreSQL: jobs are
 *     enqueued with a future run_at, the workers start and go idle, then every job is made
 *     runnable at once and the clock runs until the last one completes.
 *  2. Enqueue→start latency with idle workers: one job every 25 ms; the time from the
 *     enqueue's commit to the step starting in the worker process (same machine clock).
 *  3. Unified-status lookup at 100,000 documents (each with a job and 8 steps).
 *  Contenders, same run, same PostgreSQL: graphile-worker 0.17.3 (bench/graphile-worker.ts)
 *  and a bare SKIP LOCKED queue (bench/baseline-worker.ts).
 */
import { cpus, loadavg } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import type { DialectName } from "../src/db/database.js";
import { writeTransaction } from "../src/db/transaction.js";
import { createEngine, createNotifier } from "../src/engine/engine.js";
import { JobQueue } from "../src/engine/job-queue.js";
import { PipelineRegistry } from "../src/engine/pipeline.js";
import { Worker } from "../src/engine/worker.js";
import { silentLogger } from "../src/logger.js";
import { createTestPipeline } from "../test/support/test-pipeline.js";
import { InProcessNotifier } from "../src/engine/notifier.js";
import type { JobOptions } from "../src/domain/types.js";
import { createTestDatabase, type TestDatabase } from "../test/support/databases.js";
import { postgresSkipReason } from "../test/support/environment.js";
import { seedDocuments } from "../test/support/seed.js";
import { loadDocumentStatus, statusOf } from "../src/jobs/job-view.js";
import { baseline } from "./support/bare-queue.js";
import {
  backendPids,
  now,
  percentile,
  spawnReady,
  startCpuWindow,
  stopAll,
  type CpuCost,
} from "./support/processes.js";

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const JOBS = Number(flag("--jobs") || 5_000) || 5_000;
const ONLY = flag("--only") as DialectName | undefined;
const THROUGHPUT_ONLY = args.includes("--throughput-only");
const LATENCY_ONLY = args.includes("--latency-only");
const PARTIAL = ONLY !== undefined || THROUGHPUT_ONLY || LATENCY_ONLY;
const STATUS_DOCS = 100_000;
const LOAD_BEFORE = loadavg()[0]!;
const root = fileURLToPath(new URL("..", import.meta.url));
const WORKER = join(root, "bench/docket-worker.ts");
const GRAPHILE = join(root, "bench/graphile-worker.ts");
/** Concurrent jobs per worker process, the same for Docket and graphile-worker. */
const SLOTS = Number(flag("--slots") || 10) || 10;
const PROCESSES = flag("--processes") ? [Number(flag("--processes"))] : [1, 4];
const CONTENDER = !args.includes("--no-contender");
const NOOP: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
};

async function enqueueMany(db: TestDatabase, queue: JobQueue, count: number, runAt: number): Promise<void> {
  const { ownerId, documentIds } = await seedDocuments(db.database, count);
  for (let i = 0; i < count; i += 250) {
    await writeTransaction(db.database, async (trx) => {
      for (const documentId of documentIds.slice(i, i + 250)) {
        await queue.enqueue({ documentId, ownerId, pipeline: "test", options: NOOP, plan: ["work"], runAt }, trx);
      }
    });
  }
}

async function throughput(dialect: DialectName, processes: number): Promise<{ rate: number; cpu: CpuCost }> {
  const db = await createTestDatabase(dialect);
  const queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
  try {
    await enqueueMany(db, queue, JOBS, Date.now() + 3_600_000);
    const children = await Promise.all(
      Array.from({ length: processes }, () => spawnReady(WORKER, [db.url, String(SLOTS)])),
    );
    const cpuWindow = await startCpuWindow(
      children.map((c) => c.pid!),
      async () => (dialect === "postgres" ? await backendPids(db.database.pgPool!) : []),
    );
    const start = now();
    await db.database.db.updateTable("jobs").set({ run_at: 0 }).execute();
    if (dialect === "postgres") await sql`select pg_notify('docket_jobs', '')`.execute(db.database.db);
    // Done when no job is pending or processing: two lookups in the partial indexes. (Counting
    // completed rows every 20 ms would scan the table and cost the server more than the queue.)
    for (;;) {
      const open = await sql<{ open: boolean }>`select exists (select 1 from jobs where status = 'pending')
        or exists (select 1 from jobs where status = 'processing') as open`.execute(db.database.db);
      if (!open.rows[0]!.open) break;
      await sleep(20);
    }
    const seconds = (now() - start) / 1000;
    const cpu = await cpuWindow.end(JOBS);
    await stopAll(children);
    const completed = await db.database.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "completed")
      .executeTakeFirstOrThrow();
    if (Number(completed.n) !== JOBS) throw new Error(`${completed.n} of ${JOBS} jobs completed`);
    return { rate: JOBS / seconds, cpu };
  } finally {
    await db.drop();
  }
}

/** Embedded mode (SQLite): API and worker share one process and its in-process wake-ups. */
async function latencyEmbedded(): Promise<{ p50: number; p99: number }> {
  const db = await createTestDatabase("sqlite");
  const log = silentLogger();
  const engine = await createEngine({ database: db.database, log, feed: false });
  const started = new Map<string, number>();
  const registry = new PipelineRegistry();
  registry.register(createTestPipeline({ steps: ["work"], onRun: (run) => started.set(run.jobId, now()) }));
  const worker = new Worker({ queue: engine.queue, registry, notifier: engine.notifier, log, concurrency: 4 });
  worker.start();
  try {
    const { ownerId, documentIds } = await seedDocuments(db.database, 200);
    const enqueued = new Map<string, number>();
    for (const documentId of documentIds) {
      const row = await engine.queue.enqueue({ documentId, ownerId, pipeline: "test", options: NOOP, plan: ["work"] });
      enqueued.set(row.id, now());
      await sleep(25);
    }
    await sleep(500);
    const values = [...enqueued].filter(([id]) => started.has(id)).map(([id, t]) => started.get(id)! - t);
    return { p50: percentile(values, 50), p99: percentile(values, 99) };
  } finally {
    await worker.stop();
    await engine.close();
    await db.drop();
  }
}

/** Scale-out (PostgreSQL): the worker is another process, woken by NOTIFY. */
async function latency(dialect: DialectName): Promise<{ p50: number; p99: number }> {
  if (dialect === "sqlite") return latencyEmbedded();
  const db = await createTestDatabase(dialect);
  // The API's way: the enqueue's wake-up hint goes out after commit through the PostgreSQL notifier.
  const { notifier, close } = await createNotifier(db.database, silentLogger());
  const queue = new JobQueue({ database: db.database, notifier });
  try {
    const runs = join(db.dataDir, "runs.jsonl");
    const children = [await spawnReady(WORKER, [db.url, "4", runs])];
    const { ownerId, documentIds } = await seedDocuments(db.database, 200);
    const enqueued = new Map<string, number>();
    await sleep(500);
    for (const documentId of documentIds) {
      const row = await queue.enqueue({ documentId, ownerId, pipeline: "test", options: NOOP, plan: ["work"] });
      enqueued.set(row.id, now());
      await sleep(25);
    }
    await sleep(1_500);
    await stopAll(children);
    const starts = readFileSync(runs, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { jobId: string; t: number });
    const values = starts.filter((r) => enqueued.has(r.jobId)).map((r) => r.t - enqueued.get(r.jobId)!);
    return { p50: percentile(values, 50), p99: percentile(values, 99) };
  } finally {
    await close();
    await db.drop();
  }
}

async function statusLookup(dialect: DialectName): Promise<{ p50: number; p99: number }> {
  const db = await createTestDatabase(dialect);
  try {
    const { db: k } = db.database;
    await seedDocuments(db.database, 0, "owner");
    const t = Date.now();
    // Bulk-generate documents, jobs and 8 steps each in SQL: 100,000 documents in seconds.
    const series =
      dialect === "postgres"
        ? sql`select g as n from generate_series(1, ${STATUS_DOCS}) g`
        : sql`select value as n from generate_series(1, ${STATUS_DOCS})`;
    if (dialect === "sqlite") {
      // SQLite has no generate_series built in everywhere: use a recursive CTE.
      await sql`create temp table seq as with recursive s(n) as (select 1 union all select n + 1 from s where n < ${STATUS_DOCS}) select n from s`.execute(
        k,
      );
    }
    const from = dialect === "sqlite" ? sql`seq` : sql`(${series}) s`;
    await sql`insert into documents (id, owner_id, filename, safe_filename, mime_type, size_bytes, sha256, num_pages, blob_key, latest_job_id, created_at, updated_at)
      select 'd' || n, 'owner', 'f.pdf', 'f.pdf', 'application/pdf', 1, 'sha' || n, 1, 'b', 'j' || n, ${t}, ${t} from ${from}`.execute(
      k,
    );
    await sql`insert into jobs (id, document_id, owner_id, pipeline, options, status, priority, attempt, max_attempts, run_at, progress_step, progress_total, progress_percent, created_at, updated_at, version)
      select 'j' || n, 'd' || n, 'owner', 'ocr', '{}', 'processing', 5, 1, 3, ${t}, 3, 8, 30, ${t}, ${t}, n from ${from}`.execute(
      k,
    );
    for (let p = 0; p < 8; p++) {
      await sql`insert into job_steps (job_id, name, position, status, attempts, job_attempt, progress_done, progress_total)
        select 'j' || n, ${`step${p}`}, ${p}, ${p < 3 ? "success" : p === 3 ? "in_progress" : "pending"}, 1, 1, 0, 0 from ${from}`.execute(
        k,
      );
    }
    if (dialect === "postgres") await sql`analyze`.execute(k);
    const samples: number[] = [];
    for (let i = 0; i < 3_000; i++) {
      const id = `d${1 + Math.floor(Math.random() * STATUS_DOCS)}`;
      const s = performance.now();
      // The API's read: the document's latest job and its steps in one statement.
      const loaded = await loadDocumentStatus(db.database, { userId: "", admin: true }, id);
      const status = loaded === undefined ? undefined : statusOf(loaded ?? undefined);
      samples.push(performance.now() - s);
      if (status?.status !== "processing") throw new Error(`unexpected status for ${id}`);
    }
    const measured = samples.slice(500); // after warm-up
    return { p50: percentile(measured, 50), p99: percentile(measured, 99) };
  } finally {
    await db.drop();
  }
}

/** graphile-worker on the same PostgreSQL: the same number of no-op jobs, processes and slots. */
async function graphile(processes: number): Promise<{ rate: number; cpu: CpuCost }> {
  const db = await createTestDatabase("postgres");
  try {
    const { runMigrations } = await import("graphile-worker");
    await runMigrations({
      connectionString: db.url,
      logger: new (await import("graphile-worker")).Logger(() => () => undefined),
    });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `select graphile_worker.add_jobs(array(select row('noop', '{}'::json, null, now() + interval '1 hour', null, null, null, null)::graphile_worker.job_spec from generate_series(1, $1::int)))`,
      [JOBS],
    );
    const children = await Promise.all(
      Array.from({ length: processes }, () => spawnReady(GRAPHILE, [db.url, String(SLOTS)])),
    );
    const cpuWindow = await startCpuWindow(
      children.map((c) => c.pid!),
      () => backendPids(client),
    );
    const start = now();
    await client.query(`update graphile_worker._private_jobs set run_at = now()`);
    await client.query(`notify "jobs:insert"`);
    for (;;) {
      const { rows } = await client.query<{ open: boolean }>(
        `select exists (select 1 from graphile_worker._private_jobs) as open`,
      );
      if (!rows[0]!.open) break;
      await sleep(20);
    }
    const seconds = (now() - start) / 1000;
    const cpu = await cpuWindow.end(JOBS);
    await stopAll(children);
    await client.end();
    return { rate: JOBS / seconds, cpu };
  } finally {
    await db.drop();
  }
}

const dialects: DialectName[] = ONLY === "postgres" ? [] : ["sqlite"];
if (ONLY === "sqlite") {
  // SQLite only: no baseline.
} else if ((await postgresSkipReason().catch(() => "no")) === undefined) dialects.push("postgres");
else console.warn("PostgreSQL not reachable: measuring SQLite only");

const rows: string[][] = [];
const fmt = (n: number, digits = 0) => n.toFixed(digits);
let baseline4: number | undefined;
const cpuText = (c: CpuCost) => `CPU/job: workers ${fmt(c.workerUs)} µs, database ${fmt(c.databaseUs)} µs`;
if (dialects.includes("postgres") && CONTENDER && !LATENCY_ONLY) {
  const b = await baseline(4, JOBS, SLOTS);
  baseline4 = b.rate;
  rows.push([
    "postgres",
    `bare SKIP LOCKED baseline, 4 processes × ${SLOTS} connections`,
    `${fmt(b.rate)} jobs/s (${cpuText(b.cpu)})`,
    "1.00×",
  ]);
  console.log(rows.at(-1)!.join(" | "));
}
const plural = (n: number) => `${n} worker process${n > 1 ? "es" : ""} × ${SLOTS} slots`;
for (const dialect of dialects) {
  for (const processes of LATENCY_ONLY ? [] : PROCESSES) {
    // graphile-worker right before Docket, same server, same processes and slots: the ratio
    // is what counts on a shared machine, where absolute rates move with the other load.
    const contender = dialect === "postgres" && CONTENDER ? await graphile(processes) : undefined;
    if (contender) {
      rows.push([
        dialect,
        `graphile-worker 0.17.3, no-op jobs, ${plural(processes)}`,
        `${fmt(contender.rate)} jobs/s (${cpuText(contender.cpu)})`,
        "1.00×",
      ]);
      console.log(rows.at(-1)!.join(" | "));
    }
    const { rate, cpu } = await throughput(dialect, processes);
    const cost = dialect === "postgres" ? ` (${cpuText(cpu)})` : ` (CPU/job: ${fmt(cpu.workerUs)} µs)`;
    const ratios = [
      contender ? `${(rate / contender.rate).toFixed(2)}× graphile-worker` : "",
      baseline4 ? `${(rate / baseline4).toFixed(2)}× bare baseline` : "",
    ].filter(Boolean);
    rows.push([dialect, `Docket, no-op jobs, ${plural(processes)}`, `${fmt(rate)} jobs/s${cost}`, ratios.join(", ")]);
    console.log(rows.at(-1)!.join(" | "));
  }
  if (THROUGHPUT_ONLY) continue;
  const l = await latency(dialect);
  rows.push([
    dialect,
    dialect === "sqlite"
      ? "enqueue→start latency, idle worker in the same process (embedded)"
      : "enqueue→start latency, idle worker in another process (NOTIFY)",
    `p50 ${fmt(l.p50, 1)} ms, p99 ${fmt(l.p99, 1)} ms`,
    "",
  ]);
  console.log(rows.at(-1)!.join(" | "));
  if (LATENCY_ONLY) continue;
  const s = await statusLookup(dialect);
  rows.push([
    dialect,
    `unified status lookup at ${STATUS_DOCS.toLocaleString("en")} documents`,
    `p50 ${fmt(s.p50, 3)} ms, p99 ${fmt(s.p99, 3)} ms`,
    "",
  ]);
  console.log(rows.at(-1)!.join(" | "));
}

const table = [
  "| database | measure | result | ratio |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
console.log(`\n${table}\n`);

if (PARTIAL) process.exit(0);

const section = `## Queue (npm run bench:queue)

\`npm run bench:queue -- --jobs ${JOBS}\`, measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, PostgreSQL on loopback with default settings (fsync on), SQLite in WAL mode; ${SLOTS} slots per worker process for Docket and graphile-worker alike; ${JOBS.toLocaleString("en")} no-op jobs per throughput run. Other work shared the machine (1-minute load average ${LOAD_BEFORE.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end): the absolute rates move with it, the ratios against graphile-worker (run just before Docket, same server, same processes) far less. A no-op job is one step: its claim (processing, step started) and its finish (step success, job completed) are two transitions, each writing the job row, the step row and two events, with synchronous_commit on (only the claim's reservation and the NOTIFY hints, which carry no state, skip the WAL flush); graphile-worker's is one row, locked then deleted. Docket's worker runs as deployed (bench/docket-worker.ts: default lease, heartbeat, cancel poll and rescue interval), graphile-worker with its defaults; both poll every 200 ms as a backstop and log nothing below warnings.

${table}
`;
const docPath = join(root, "docs/BENCHMARKS.md");
const existing = existsSync(docPath)
  ? readFileSync(docPath, "utf8")
  : "# Benchmarks\n\nEvery figure here is produced by a script in `bench/`; run it again to check it.\n";
const pattern = /## Queue \(npm run bench:queue\)[\s\S]*?(?=\n## |$)/;
const updated = pattern.test(existing) ? existing.replace(pattern, section) : `${existing.trimEnd()}\n\n${section}`;
writeFileSync(docPath, updated);
console.log("docs/BENCHMARKS.md updated");
process.exit(0);
