/**
 * npm run bench:api [-- --only sqlite|postgres] [--status-only | --sse-only] — the HTTP API under
 * load, server in its own process (BENCH_CPU_PROF=<dir> profiles it).
 *
 *  1. GET /api/v1/documents/:id/status over 10,000 documents (random ids), with autocannon:
 *     a. at a constant 1,000 requests/s, open loop, as a ratio to a floor measured in the same
 *        run, in turns of one second (bench/floor-server.ts: node:http + one primary-key
 *        read; target ≤ 2×), with each server's CPU per request, and
 *     b. flat out with 50 connections (capacity).
 *  2. SSE event→client latency: 100 clients on /api/v1/events; for each of 50 submits, the
 *     time from the event's commit timestamp (created_at, written by the server) to its
 *     arrival at every client (same machine clock). Target: p99 ≤ 50 ms.
 * Prints a table; a full run rewrites the "API" section of docs/BENCHMARKS.md.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { sql } from "kysely";
import type { DialectName } from "../src/db/database.js";
import { writeTransaction } from "../src/db/transaction.js";
import type { JobOptions } from "../src/domain/types.js";
import { JobQueue } from "../src/engine/job-queue.js";
import { InProcessNotifier } from "../src/engine/notifier.js";
import { SseClient } from "../test/api/support.js";
import { createTestDatabase } from "../test/support/databases.js";
import { postgresSkipReason } from "../test/support/environment.js";
import { seedDocuments } from "../test/support/seed.js";
import { processOwnCpu } from "./support/process-cpu.js";
import { cpuProfileFlags } from "./support/processes.js";
import { runConstantRate, runInterleaved, type ConstantRateResult } from "./support/constant-rate.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const only = args.includes("--only") ? (args[args.indexOf("--only") + 1] as DialectName) : undefined;
const DOCS = 10_000;
const CLIENTS = Number(args.includes("--clients") ? args[args.indexOf("--clients") + 1] : 100);
const EVENTS = 50;
const FIXED_RATE = 1_000;
/** The status-against-floor comparison: this long each, in turns of TURN_SECONDS. */
const COMPARISON_SECONDS = 20;
const TURN_SECONDS = 1;
const SSE_ONLY = args.includes("--sse-only");
const STATUS_ONLY = args.includes("--status-only");
/*
 * Environment knobs:
 * BENCH_CPU_PROF=<dir>: the server process writes a V8 CPU profile there (--cpu-prof).
 * BENCH_SERVER_FLAGS="--trace-gc …": more Node flags for the server process (its output goes to stderr).
 * BENCH_TIMELINE=1: print the worst latency of each second of the constant-rate runs, and
 * (through bench/api-server.ts) the server's event-loop delay and GC pauses each second.
 */

const PLAN = ["validate", "check_text", "render_pages", "ocr", "assemble", "export"];
const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
};

/** Starts bench/<script> in its own process; resolves with its base URL once it listens. */
function startServer(script: string, ...args: string[]): Promise<{ child: ChildProcess; base: string }> {
  const nodeFlags = [...cpuProfileFlags(), ...(process.env.BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean)];
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", join(root, "bench", script), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("listening ")) resolve({ child, base: line.slice("listening ".length) });
      else process.stderr.write(`[server] ${line}\n`);
    });
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  });
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Row {
  dialect: DialectName;
  measure: string;
  result: string;
}

async function measure(dialect: DialectName): Promise<Row[]> {
  const db = await createTestDatabase(dialect);
  const { child, base } = await startServer("api-server.ts", db.url, db.dataDir);
  try {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const user = await json<{ id: string }>(
      await post("/api/v1/setup", { email: "bench@example.test", password: "bench-password" }),
    );
    const { token } = await json<{ token: string }>(
      await post("/api/v1/auth/login", { email: "bench@example.test", password: "bench-password" }),
    );
    // Every measured document has a queued job with six planned steps: the status a client
    // polls is the full derivation (document, job, steps), not the cheap "uploaded" case.
    const { documentIds } = await seedDocuments(db.database, DOCS, user.id);
    const queue = new JobQueue({ database: db.database, notifier: new InProcessNotifier() });
    for (let i = 0; i < DOCS; i += 500) {
      await writeTransaction(db.database, async (trx) => {
        for (const documentId of documentIds.slice(i, i + 500)) {
          await queue.enqueue({ documentId, ownerId: user.id, pipeline: "ocr", options: OPTIONS, plan: PLAN }, trx);
        }
      });
    }
    const fresh = (await seedDocuments(db.database, EVENTS + 1, user.id)).documentIds;
    // Measure the steady state, not the minutes after a bulk load: without this, autovacuum's
    // analyze of 70,000 fresh rows lands inside the measured window on PostgreSQL.
    await sql`${sql.raw(dialect === "postgres" ? "vacuum analyze" : "analyze")}`.execute(db.database.db);
    const auth = { authorization: `Bearer ${token}` };
    const randomDocument = () => documentIds[Math.floor(Math.random() * DOCS)]!;
    const randomStatusPath = () => `/api/v1/documents/${randomDocument()}/status`;
    const randomPathsFor = (path: () => string) => [
      { method: "GET" as const, setupRequest: (req: Record<string, unknown>) => ({ ...req, path: path() }) },
    ];
    const rows: Row[] = [];
    const report = (measure: string, result: string) => {
      rows.push({ dialect, measure, result });
      console.log([dialect, measure, result].join(" | "));
    };
    /** One open-loop run at FIXED_RATE for 20 s, reported as a row. */
    const constantRate = async (
      measure: string,
      url: string,
      headers: Record<string, string>,
      path: () => string,
      detail = "",
    ) => {
      const r = await runConstantRate({ url, rate: FIXED_RATE, durationSeconds: 20, headers, path });
      const { p50, p90, p99, p999 } = r.latency;
      report(
        `${measure} at a constant ${FIXED_RATE.toLocaleString("en")} req/s${detail} (20 s, open loop)`,
        `${Math.round(r.throughput)} req/s served, p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms, p99.9 ${p999} ms, errors ${r.errors + r.non2xx}`,
      );
      if (process.env.BENCH_TIMELINE)
        console.log("worst latency (ms) per second:", r.perSecond.map(([, worst]) => worst).join(" "));
      return p99;
    };

    if (!SSE_ONLY) {
      // The floor: node:http and one prepared primary-key read, nothing else
      // (bench/floor-server.ts), what any status endpoint costs at least on this machine and
      // database. It and Docket's status endpoint take turns of a second over connections kept
      // open (runInterleaved), so a disturbance from elsewhere on the machine (another process,
      // autovacuum, a checkpoint, the generator's own pauses) falls on both alike instead of on
      // whichever ran during it: measured one after the other the ratio moved 1.3–2.5× between
      // runs of the same build, and in 5-second slices that each opened their connections again
      // 0.24–7.3× (a 60 ms stall of PostgreSQL in one side's slice decides the p99).
      const bare = await startServer("floor-server.ts", db.url);
      let statusP99: number;
      let floorP99: number;
      try {
        const documentPath = () => `/${randomDocument()}`;
        // Warm-up (JIT, connection pools, SQLite page cache) of both servers.
        await autocannon({ url: bare.base, connections: 10, duration: 5, requests: randomPathsFor(documentPath) });
        await autocannon({
          url: base,
          connections: 10,
          duration: 5,
          headers: auth,
          requests: randomPathsFor(randomStatusPath),
        });
        // Baseline in the same run: the same load on /healthz (no auth, no database), so what the
        // machine itself adds to the tail (scheduling 3 busy processes on 2 cores) is visible.
        await constantRate("baseline: GET /healthz", base, {}, () => "/healthz");
        const cpuBefore = [processOwnCpu(bare.child.pid!), processOwnCpu(child.pid!)];
        const [floor, status] = await runInterleaved(
          [
            { url: bare.base, headers: {}, path: documentPath },
            { url: base, headers: auth, path: randomStatusPath },
          ],
          FIXED_RATE,
          COMPARISON_SECONDS,
          { turnSeconds: TURN_SECONDS, warmupSeconds: TURN_SECONDS },
        );
        // CPU per request of each server process (each works only in its own turns): a figure
        // the machine's other load hardly moves, for telling whether a change made the route cheaper.
        const cpuAfter = [processOwnCpu(bare.child.pid!), processOwnCpu(child.pid!)];
        const cpuPerRequest = (i: number, requests: number): string =>
          cpuBefore[i] === undefined || cpuAfter[i] === undefined
            ? "n/a"
            : `${Math.round(((cpuAfter[i]! - cpuBefore[i]!) / requests) * 1e6)} µs`;
        const interleaved = `${COMPARISON_SECONDS} s in turns of ${TURN_SECONDS} s with the other, open loop`;
        const row = (measure: string, r: ConstantRateResult) => {
          const { p50, p90, p99, p999 } = r.latency;
          report(
            `${measure} at a constant ${FIXED_RATE.toLocaleString("en")} req/s (${interleaved})`,
            `${r.completed} requests, p50 ${p50} ms, p90 ${p90} ms, p99 ${p99} ms, p99.9 ${p999} ms, errors ${r.errors + r.non2xx}`,
          );
          if (process.env.BENCH_TIMELINE)
            console.log("worst latency (ms) per second:", r.perSecond.map(([, worst]) => worst).join(" "));
          return p99;
        };
        floorP99 = row(
          `floor: bare node:http + one ${dialect === "postgres" ? "PostgreSQL" : "SQLite"} primary-key read (no framework, no auth)`,
          floor!,
        );
        statusP99 = row(`status endpoint, ${DOCS.toLocaleString("en")} documents`, status!);
        report(
          "server CPU per request in the same run (process's own, all threads)",
          `status ${cpuPerRequest(1, status!.completed)}, floor ${cpuPerRequest(0, floor!.completed)}`,
        );
      } finally {
        await stopServer(bare.child);
      }
      const ratio = statusP99 / floorP99;
      report(
        "status p99 as a ratio to the floor's p99, same run (target ≤ 2×)",
        `${ratio.toFixed(2)}× (${statusP99} ms against ${floorP99} ms): ${ratio <= 2 ? "met" : "NOT met"}`,
      );
      const flat = await autocannon({
        url: base,
        connections: 50,
        duration: 10,
        headers: auth,
        requests: randomPathsFor(randomStatusPath),
      });
      report(
        "status endpoint flat out, 50 connections (10 s)",
        `${Math.round(flat.requests.average)} req/s, p50 ${flat.latency.p50} ms, p99 ${flat.latency.p99} ms, errors ${flat.errors + flat.non2xx}`,
      );
    }

    if (STATUS_ONLY) return rows;
    const clients = Array.from({ length: CLIENTS }, () => new SseClient(base, "/api/v1/events", token));
    await Promise.all(clients.map((c) => c.until("snapshot", (m) => m.length > 0, 30_000)));
    const latencies: number[] = [];
    // The first submit is a warm-up, not measured: it also waits out the server's feed
    // catching up with the 10,000 enqueue events the seeding wrote.
    for (let i = 0; i <= EVENTS; i++) {
      const job = await json<{ id: string }>(await post("/api/v1/ocr/submit", { document_id: fresh[i] }, auth));
      const isQueued = (m: { event: string; data: { event?: { job_id?: string } } }) =>
        m.event === "job" && m.data.event?.job_id === job.id;
      await Promise.all(
        clients.map((c) => c.until("the submit's event", (messages) => messages.some(isQueued), 60_000)),
      );
      for (const c of clients) {
        if (i === 0) continue;
        const message = c.messages.find(isQueued)!;
        latencies.push(message.receivedAt - new Date(message.data.event.created_at as string).getTime());
      }
    }
    await Promise.all(clients.map((c) => c.close()));
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
    const sseP99 = Number(q(0.99));
    report(
      `SSE event→client, ${CLIENTS} clients, ${EVENTS} events each (target p99 ≤ 50 ms)`,
      `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms: ${sseP99 <= 50 ? "met" : "NOT met"}`,
    );
    return rows;
  } finally {
    await stopServer(child);
    await db.drop();
  }
}

const dialects: DialectName[] = only ? [only] : ["sqlite"];
if (!only) {
  if ((await postgresSkipReason().catch(() => "unreachable")) === undefined) dialects.push("postgres");
  else console.warn("PostgreSQL not reachable: measuring SQLite only");
}
const rows: Row[] = [];
for (const dialect of dialects) rows.push(...(await measure(dialect)));

const table = [
  "| database | measure | result |",
  "|---|---|---|",
  ...rows.map((r) => `| ${r.dialect} | ${r.measure} | ${r.result} |`),
].join("\n");
console.log(`\n${table}\n`);
if (only || SSE_ONLY || STATUS_ONLY || CLIENTS !== 100) process.exit(0);

const section = `## API (npm run bench:api)

Measured ${new Date().toISOString().slice(0, 10)} on this project's CI machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}. The server runs in its own process (bench/api-server.ts, no workers); the load generator and the SSE clients run in the bench process on the same 2 cores (with PostgreSQL too, where measured), so the figures include their cost.

The constant-rate rows are open loop (bench/support/constant-rate.ts, the wrk2 method): request i is due at start + i/rate and its latency counts from when it was due, so a stall anywhere shows in the tail instead of lowering the rate. (autocannon's own rate mode sends each second's quota in a burst and then waits, which measures bursts at full capacity, not a steady 1,000 req/s.) The floor row is bare node:http answering each request with one prepared primary-key read of the same database (bench/floor-server.ts), nothing of Docket; the status endpoint's p99 is reported as a ratio to the floor's p99 in the same run (target ≤ 2×), a measure the machine's other load moves far less than the absolute figure. The two are measured in turns of one second, 20 of each, over connections opened once for the run (a first turn each, not counted, opens them), so a disturbance from elsewhere (another process, autovacuum, a checkpoint) falls on both alike; in 5-second slices that each opened their connections again, the ratio moved 0.24–7.3× between runs of the same build. The CPU row is each server process's own CPU (all its threads, from /proc) over the run divided by its requests: unlike the p99 it hardly moves with the machine's load, so it tells whether a change made the route cheaper. The /healthz row is the same load with no authentication and no database. The SSE target is p99 ≤ 50 ms. The flat-out rows use autocannon with 50 connections. Latency of an event is measured from its created_at (the server's clock at the transition) to its arrival at each client (same machine clock).

${table}
`;
const docPath = join(root, "docs/BENCHMARKS.md");
const existing = existsSync(docPath) ? readFileSync(docPath, "utf8") : "# Benchmarks\n";
const pattern = /## API \(npm run bench:api\)[\s\S]*?(?=\n## |$)/;
writeFileSync(
  docPath,
  pattern.test(existing) ? existing.replace(pattern, section) : `${existing.trimEnd()}\n\n${section}`,
);
console.log("docs/BENCHMARKS.md updated");
process.exit(0);
