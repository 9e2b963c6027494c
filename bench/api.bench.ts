/**
 * npm run bench:api [-- --only sqlite|postgres] — the HTTP API under load, server in its own process.
 *
 *  1. GET /api/v1/documents/:id/status over 10,000 documents (random ids), with autocannon:
 *     a. at a fixed 1,000 requests/s (the target: p99 ≤ 10 ms), and
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
import type { DialectName } from "../src/db/database.js";
import { writeTransaction } from "../src/db/transaction.js";
import type { JobOptions } from "../src/domain/types.js";
import { JobQueue } from "../src/engine/job-queue.js";
import { InProcessNotifier } from "../src/engine/notifier.js";
import { SseClient } from "../test/api/support.js";
import { createTestDatabase } from "../test/support/databases.js";
import { postgresSkipReason } from "../test/support/environment.js";
import { seedDocuments } from "../test/support/seed.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const only = args.includes("--only") ? (args[args.indexOf("--only") + 1] as DialectName) : undefined;
const DOCS = 10_000;
const CLIENTS = Number(args.includes("--clients") ? args[args.indexOf("--clients") + 1] : 100);
const EVENTS = 50;
const FIXED_RATE = 1_000;
const SSE_ONLY = args.includes("--sse-only");
const PLAN = ["validate", "check_text", "render_pages", "ocr", "assemble", "export"];
const OPTIONS: JobOptions = { ocr_mode: "document", resolution_mode: "base", languages: ["eng"], outputs: ["txt"], ocr: "auto" };

function startServer(url: string, dataDir: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "bench/api-server.ts"), url, dataDir], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("listening ")) resolve({ child, base: line.slice("listening ".length) });
    });
    child.on("exit", (code) => reject(new Error(`api-server exited with ${code}`)));
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
  const { child, base } = await startServer(db.url, db.dataDir);
  try {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    const user = await json<{ id: string }>(await post("/api/v1/setup", { email: "bench@example.test", password: "bench-password" }));
    const { token } = await json<{ token: string }>(await post("/api/v1/auth/login", { email: "bench@example.test", password: "bench-password" }));
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
    const auth = { authorization: `Bearer ${token}` };
    const statusRequest = [{ method: "GET" as const, setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/v1/documents/${documentIds[Math.floor(Math.random() * DOCS)]}/status` }) }];
    const rows: Row[] = [];

    // Warm-up (JIT, connection pools, SQLite page cache), then the fixed-rate run.
    if (!SSE_ONLY) await autocannon({ url: base, connections: 10, duration: 3, headers: auth, requests: statusRequest });
    if (!SSE_ONLY) {
    const fixed = await autocannon({ url: base, connections: 20, duration: 10, overallRate: FIXED_RATE, headers: auth, requests: statusRequest });
    rows.push({
      dialect,
      measure: `status endpoint at a fixed ${FIXED_RATE.toLocaleString("en")} req/s, ${DOCS.toLocaleString("en")} documents (10 s)`,
      result: `${Math.round(fixed.requests.average)} req/s served, p50 ${fixed.latency.p50} ms, p99 ${fixed.latency.p99} ms, errors ${fixed.errors + fixed.non2xx}`,
    });
    console.log(Object.values(rows.at(-1)!).join(" | "));
    const flat = await autocannon({ url: base, connections: 50, duration: 10, headers: auth, requests: statusRequest });
    rows.push({
      dialect,
      measure: "status endpoint flat out, 50 connections (10 s)",
      result: `${Math.round(flat.requests.average)} req/s, p50 ${flat.latency.p50} ms, p99 ${flat.latency.p99} ms, errors ${flat.errors + flat.non2xx}`,
    });
    console.log(Object.values(rows.at(-1)!).join(" | "));
    }

    const clients = Array.from({ length: CLIENTS }, () => new SseClient(base, "/api/v1/events", token));
    await Promise.all(clients.map((c) => c.until("snapshot", (m) => m.length > 0, 30_000)));
    const latencies: number[] = [];
    // The first submit is a warm-up, not measured: it also waits out the server's feed
    // catching up with the 10,000 enqueue events the seeding wrote.
    for (let i = 0; i <= EVENTS; i++) {
      const job = await json<{ id: string }>(await post("/api/v1/ocr/submit", { document_id: fresh[i] }, auth));
      const isQueued = (m: { event: string; data: { event?: { job_id?: string } } }) => m.event === "job" && m.data.event?.job_id === job.id;
      await Promise.all(clients.map((c) => c.until("the submit's event", (messages) => messages.some(isQueued), 60_000)));
      for (const c of clients) {
        if (i === 0) continue;
        const message = c.messages.find(isQueued)!;
        latencies.push(message.receivedAt - new Date(message.data.event.created_at as string).getTime());
      }
    }
    await Promise.all(clients.map((c) => c.close()));
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
    rows.push({ dialect, measure: `SSE event→client, ${CLIENTS} clients, ${EVENTS} events each`, result: `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms` });
    console.log(Object.values(rows.at(-1)!).join(" | "));
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

const table = ["| database | measure | result |", "|---|---|---|", ...rows.map((r) => `| ${r.dialect} | ${r.measure} | ${r.result} |`)].join("\n");
console.log(`\n${table}\n`);
if (only || SSE_ONLY || CLIENTS !== 100) process.exit(0);

const section = `## API (npm run bench:api)

Measured ${new Date().toISOString().slice(0, 10)} on this project's CI machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}. The server runs in its own process (bench/api-server.ts, no workers); autocannon and the SSE clients run in the bench process on the same 2 cores, so the figures include their cost. Latency of an event is measured from its created_at (the server's clock at the transition) to its arrival at each client (same machine clock).

${table}
`;
const docPath = join(root, "docs/BENCHMARKS.md");
const existing = existsSync(docPath) ? readFileSync(docPath, "utf8") : "# Benchmarks\n";
const pattern = /## API \(npm run bench:api\)[\s\S]*?(?=\n## |$)/;
writeFileSync(docPath, pattern.test(existing) ? existing.replace(pattern, section) : `${existing.trimEnd()}\n\n${section}`);
console.log("docs/BENCHMARKS.md updated");
process.exit(0);
