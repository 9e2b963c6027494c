/**
 * API benchmark: GET /documents/:id/status req/s and p99 with 10,000 documents (autocannon),
 * and SSE event→client latency with 100 connected clients (p50/p99).
 * Usage: npm run bench:api [-- --postgres]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createDocket } from "../src/app/docket.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";
import { seedDocuments } from "../test/support/seed.js";
import { createTestDatabase } from "../test/support/databases.js";
import { apiTestPipeline, SseClient } from "../test/api/support.js";

const dialect = process.argv.includes("--postgres") ? "postgres" : "sqlite";
const DOCS = 10_000;
const CLIENTS = 100;
const EVENTS = 50;

const db = await createTestDatabase(dialect);
const dataDir = mkdtempSync(join(tmpdir(), "docket-bench-"));
const scripts = new Map<string, Record<string, string>>();
const docket = await createDocket(
  loadConfig({ PORT: "0", DOCKET_DATA_DIR: dataDir, DATABASE_URL: db.url, DOCKET_WORKERS: "0", LOG_LEVEL: "silent", DOCKET_RATE_LIMIT_PER_MIN: "100000000" }),
  { log: silentLogger(), pipelines: ({ blobStore }) => [apiTestPipeline(blobStore, scripts)], passwordHashing: { memoryCost: 1024, timeCost: 1 }, fsync: false },
);
const base = await docket.listen();
const setup = await fetch(`${base}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bench@example.test", password: "bench-password" }) });
const user = (await setup.json()) as { id: string };
const login = (await (await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "bench@example.test", password: "bench-password" }) })).json()) as { token: string };
const { documentIds } = await seedDocuments(docket.database, DOCS, user.id);
const auth = { authorization: `Bearer ${login.token}` };

// 1. Status endpoint under load (random documents among 10,000).
const result = await autocannon({
  url: base,
  connections: 50,
  duration: 10,
  headers: auth,
  requests: [{ method: "GET", setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/api/v1/documents/${documentIds[Math.floor(Math.random() * DOCS)]}/status` }) }],
});
const statusLine = `status endpoint (${dialect}, ${DOCS} documents, 50 connections, 10 s): ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors + result.non2xx}`;
console.log(statusLine);

// 2. SSE latency: 100 clients; each event's created_at vs. its arrival at every client.
const clients = Array.from({ length: CLIENTS }, () => new SseClient(base, "/api/v1/events", login.token));
await Promise.all(clients.map((c) => c.until("snapshot", (m) => m.length > 0, 30_000)));
const latencies: number[] = [];
const arrival = new Map<SseClient, number>();
for (let i = 0; i < EVENTS; i++) {
  const sent = Date.now();
  const res = await fetch(`${base}/api/v1/ocr/submit`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ document_id: documentIds[i] }) });
  const job = (await res.json()) as { id: string };
  await Promise.all(
    clients.map(async (c) => {
      await c.until("event", (m) => m.some((x) => x.event === "job" && x.data.event.job_id === job.id), 30_000);
      arrival.set(c, Date.now());
    }),
  );
  for (const c of clients) {
    const msg = c.messages.find((x) => x.event === "job" && x.data.event.job_id === job.id)!;
    latencies.push(Math.max(0, (arrival.get(c) ?? Date.now()) - Math.max(sent, new Date(msg.data.event.created_at as string).getTime())));
  }
}
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
const sseLine = `SSE event→client (${dialect}, ${CLIENTS} clients, ${EVENTS} submits): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (upper bound: measured when the client's wait loop saw it)`;
console.log(sseLine);
await Promise.all(clients.map((c) => c.close()));
await docket.close();
await db.drop();
rmSync(dataDir, { recursive: true, force: true });
