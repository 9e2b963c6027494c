/**
 * npm run bench:soak [-- --minutes 30] [--docs-per-minute 30] [--status-rate 20] [--no-docs]
 *
 * The scale-out topology of `npm run test:chaos` without the chaos, under steady load for a
 * long time: 2 API processes (`docket serve --no-workers`) and 3 worker processes (`docket
 * worker --concurrency 2`) on a private PostgreSQL and the local S3 server, a resuming SSE
 * client on each API.
 *  - Load: real small PDFs uploaded with process=true at a constant rate, alternating APIs;
 *    status reads (GET /api/v1/documents/:id/status of random uploaded documents) open loop
 *    at a constant rate over both APIs, latency counted from each request's due time.
 *  - Every 10 s: each process's RSS (VmRSS) and open handles (entries of /proc/<pid>/fd:
 *    sockets, files, pipes), and the jobs completed so far.
 * Reports throughput, status latency (p50/p99 overall and per window) and, per process, the
 * median RSS and handles of the first window after warm-up against the last window (5
 * minutes each, or a quarter of a shorter run): flat means no leak. Writes
 * docs/images/soak.svg and, with --write-docs, the "Soak" section of docs/BENCHMARKS.md.
 * Needs root and the PostgreSQL server binaries (as test:chaos).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../src/db/database.js";
import { makeTextPdf } from "../test/pdf/fixtures.js";
import { startLocalS3 } from "../test/support/s3-server.js";
import { buildServer, clusterEnv, createAdminToken, DocketProcess, removeBuild } from "../test/chaos/cluster.js";
import { freePort, PrivatePostgres } from "../test/chaos/private-postgres.js";
import { ResumingSseClient } from "../test/chaos/resuming-sse.js";
import { lineChartsSvg, type Series } from "./soak-plot.js";
import { percentile } from "./support/processes.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const MINUTES = option("--minutes", 30);
const DOCS_PER_MINUTE = args.includes("--no-docs") ? 0 : option("--docs-per-minute", 30);
const STATUS_RATE = option("--status-rate", 20);
const WRITE_DOCS = args.includes("--write-docs");
const SAMPLE_MS = 10_000;
const WARM_UP_MINUTES = Math.min(1, MINUTES / 10);
const WINDOW_MINUTES = Math.min(5, MINUTES / 4);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

interface Sample {
  minute: number;
  process: string;
  rssMb: number;
  handles: number;
}

function sampleProcess(pid: number): { rssMb: number; handles: number } | null {
  try {
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return { rssMb: rssKb / 1024, handles: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return null;
  }
}

const median = (values: number[]) => percentile(values, 50);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const postgres = await PrivatePostgres.start();
  if (typeof postgres === "string") throw new Error(`bench:soak cannot run here: ${postgres}`);
  const work = mkdtempSync(join(tmpdir(), "docket-soak-"));
  const s3 = await startLocalS3("docket-soak");
  const processes: DocketProcess[] = [];
  const clients: ResumingSseClient[] = [];
  let database: Database | null = null;
  try {
    log("building the server and starting PostgreSQL");
    await Promise.all([postgres.createDatabase(), buildServer()]);
    const env = (name: string) =>
      clusterEnv({ databaseUrl: postgres.url, blobUrl: s3.url("soak"), dataDir: join(work, name) });
    const apis: DocketProcess[] = [];
    for (const name of ["api-1", "api-2"]) {
      const port = await freePort();
      const spec = { name, args: ["serve", "--no-workers"], env: { ...env(name), PORT: String(port) }, port };
      apis.push(new DocketProcess(spec, join(work, "logs")));
    }
    const workers = ["worker-1", "worker-2", "worker-3"].map(
      (name) => new DocketProcess({ name, args: ["worker", "--concurrency", "2"], env: env(name) }, join(work, "logs")),
    );
    processes.push(...apis, ...workers);
    await apis[0]!.start();
    await Promise.all([apis[1]!.start(), ...workers.map((w) => w.start())]);
    database = await openDatabase({ url: postgres.url, dataDir: work, poolSize: 2 });
    const token = await createAdminToken(apis[0]!.url);
    clients.push(...apis.map((api) => new ResumingSseClient(api.url, token)));
    log(`cluster up (logs in ${join(work, "logs")}); soaking for ${MINUTES} min`);

    const began = Date.now();
    const endsAt = began + MINUTES * 60_000;
    const minuteOf = (t: number) => (t - began) / 60_000;
    const documentIds: string[] = [];
    let uploadErrors = 0;

    // Uploads at a constant rate (each one awaited in the background, so a slow one does not slow the rate).
    const uploads: Promise<void>[] = [];
    const uploader = (async () => {
      if (DOCS_PER_MINUTE <= 0) return;
      const interval = 60_000 / DOCS_PER_MINUTE;
      for (let n = 0; began + n * interval < endsAt; n++) {
        await sleep(Math.max(0, began + n * interval - Date.now()));
        const pdf = await makeTextPdf([{ runs: [{ text: `Soak document ${n}`, x: 72, y: 700 }] }]);
        const form = new FormData();
        form.append("process", "true");
        form.append("outputs", "txt");
        form.append("outputs", "json");
        form.append("extract", "off");
        form.append("file", new Blob([pdf]), `soak-${n}.pdf`);
        uploads.push(
          fetch(`${apis[n % 2]!.url}/api/v1/documents/upload`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}` },
            body: form,
          }).then(
            async (res) => {
              const body = (await res.json()) as { document?: { id: string } };
              if (res.ok && body.document) documentIds.push(body.document.id);
              else uploadErrors++;
            },
            () => void uploadErrors++,
          ),
        );
      }
    })();

    // Status reads, open loop: request i is due at began + i/rate; latency counts from then.
    const statusLatencies: [number, number][] = [];
    let statusErrors = 0;
    let readsInFlight = 0;
    const reader = (async () => {
      const interval = 1000 / STATUS_RATE;
      for (let i = 0; began + i * interval < endsAt; i++) {
        const due = began + i * interval;
        await sleep(Math.max(0, due - Date.now()));
        if (documentIds.length === 0) continue;
        const id = documentIds[Math.floor(Math.random() * documentIds.length)]!;
        readsInFlight++;
        void fetch(`${apis[i % 2]!.url}/api/v1/documents/${id}/status`, {
          headers: { authorization: `Bearer ${token}` },
        })
          .then(
            async (res) => {
              await res.arrayBuffer();
              if (!res.ok) statusErrors++;
              statusLatencies.push([minuteOf(due), Date.now() - due]);
            },
            () => void statusErrors++,
          )
          .finally(() => readsInFlight--);
      }
      while (readsInFlight > 0) await sleep(100);
    })();

    // Samples every 10 s.
    const samples: Sample[] = [];
    const completedAt: [number, number][] = [];
    const loads: number[] = [];
    const sampler = (async () => {
      while (Date.now() < endsAt) {
        const minute = minuteOf(Date.now());
        for (const p of processes) {
          const sample = p.pid === undefined ? null : sampleProcess(p.pid);
          if (sample) samples.push({ minute, process: p.spec.name, ...sample });
        }
        const done = await database.db
          .selectFrom("jobs")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "in", ["completed", "failed"])
          .executeTakeFirstOrThrow();
        completedAt.push([minute, Number(done.n)]);
        loads.push(loadavg()[0]!);
        if (samples.length % (processes.length * 6) === 0) {
          const rss = processes.map(
            (p) => `${p.spec.name} ${round(samples.findLast((s) => s.process === p.spec.name)?.rssMb ?? 0, 0)} MB`,
          );
          log(
            `minute ${minute.toFixed(1)}: ${done.n} jobs done; RSS ${rss.join(", ")}; load ${loadavg()[0]!.toFixed(1)}`,
          );
        }
        await sleep(SAMPLE_MS);
      }
    })();

    await Promise.all([uploader, reader, sampler]);
    await Promise.all(uploads);
    const crashed = processes.flatMap((p) => p.unexpectedExits);

    // Figures.
    const jobs = await database.db
      .selectFrom("jobs")
      .select(["status", "created_at", "completed_at"])
      .where("created_at", "<=", endsAt)
      .execute();
    const finished = jobs.filter((j) => j.completed_at !== null && j.completed_at <= endsAt);
    const turnaround = finished.map((j) => Number(j.completed_at) - Number(j.created_at));
    const measuredMinutes = (Math.min(Date.now(), endsAt) - began) / 60_000;
    const latencies = statusLatencies.map(([, ms]) => ms);
    const windows = {
      early: [WARM_UP_MINUTES, WARM_UP_MINUTES + WINDOW_MINUTES],
      late: [MINUTES - WINDOW_MINUTES, MINUTES],
    };
    const inWindow = (minute: number, [from, to]: number[]) => minute >= from! && minute <= to!;
    const perProcess = processes.map((p) => {
      const mine = samples.filter((s) => s.process === p.spec.name);
      const pick = (w: number[], key: "rssMb" | "handles") =>
        median(mine.filter((s) => inWindow(s.minute, w)).map((s) => s[key]));
      return {
        name: p.spec.name,
        rss: [pick(windows.early, "rssMb"), pick(windows.late, "rssMb")] as const,
        handles: [pick(windows.early, "handles"), pick(windows.late, "handles")] as const,
        peakRss: Math.max(...mine.map((s) => s.rssMb)),
      };
    });
    const p99ByWindow = [windows.early, windows.late].map((w) =>
      percentile(
        statusLatencies.filter(([m]) => inWindow(m, w)).map(([, ms]) => ms),
        99,
      ),
    );
    const loadMedian = median(loads);

    // The chart.
    const seriesOf = (key: "rssMb" | "handles"): Series[] =>
      processes.map((p) => ({
        name: p.spec.name,
        points: samples.filter((s) => s.process === p.spec.name).map((s) => [round(s.minute, 2), round(s[key], 1)]),
      }));
    const throughputSeries: Series = {
      name: "jobs/min",
      points: completedAt
        .slice(1)
        .map(([m, n], i) => [round(m, 2), round((n - completedAt[i]![1]) / (m - completedAt[i]![0]), 1)]),
    };
    const svg = lineChartsSvg(`bench:soak — ${MINUTES} min, 2 API + 3 worker processes on PostgreSQL`, [
      { title: "Resident memory (RSS) per process", unit: "MB", series: seriesOf("rssMb") },
      { title: "Open handles (/proc/<pid>/fd) per process", unit: "handles", series: seriesOf("handles") },
      { title: "Jobs finished per minute", unit: "jobs/min", series: [throughputSeries] },
    ]);
    writeFileSync(join(root, "docs/images/soak.svg"), svg);

    const date = new Date().toISOString().slice(0, 16).replace("T", " ");
    const lines = [
      `| measure | result |`,
      `|---|---|`,
      `| load | ${DOCS_PER_MINUTE} uploads/min (process=true, txt+json), ${STATUS_RATE} status reads/s, 2 SSE clients |`,
      `| jobs finished | ${finished.length} of ${jobs.length} submitted (${jobs.filter((j) => j.status === "failed").length} failed), ${round(finished.length / measuredMinutes)} jobs/min |`,
      `| upload → finished | p50 ${round(percentile(turnaround, 50) / 1000)} s, p99 ${round(percentile(turnaround, 99) / 1000)} s |`,
      `| status reads | ${latencies.length} answered, ${statusErrors} errors; p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms (p99 first window ${round(p99ByWindow[0]!)} ms, last window ${round(p99ByWindow[1]!)} ms) |`,
      `| SSE clients | ${clients.map((c) => `${c.events.length} events, ${c.reconnects} reconnects`).join("; ")} |`,
      `| upload errors, crashed processes | ${uploadErrors}, ${crashed.length === 0 ? "none" : crashed.join(", ")} |`,
      `| machine load (1-min average, median of samples) | ${round(loadMedian)} |`,
    ];
    const processTable = [
      `| process | RSS MB, minutes ${round(windows.early[0]!)}–${round(windows.early[1]!)} (median) | RSS MB, minutes ${round(windows.late[0]!)}–${round(windows.late[1]!)} | RSS change | peak RSS MB | handles, first window | handles, last window |`,
      `|---|---|---|---|---|---|---|`,
      ...perProcess.map(
        (p) =>
          `| ${p.name} | ${round(p.rss[0])} | ${round(p.rss[1])} | ${p.rss[1] >= p.rss[0] ? "+" : ""}${round(((p.rss[1] - p.rss[0]) / p.rss[0]) * 100)} % | ${round(p.peakRss)} | ${p.handles[0]} | ${p.handles[1]} |`,
      ),
    ];
    const report = [...lines, "", ...processTable].join("\n");
    console.log(`\n${report}\n`);
    console.log("chart written to docs/images/soak.svg");
    if (WRITE_DOCS) {
      const section = `## Soak (npm run bench:soak)

Run ${date} UTC, ${MINUTES} minutes (\`npm run bench:soak -- ${args.join(" ")}\`), on the 2-core machine shared with other work (median 1-minute load average ${round(loadMedian)}). Topology as \`npm run test:chaos\` without the chaos: 2 API processes and 3 worker processes (concurrency 2) on a private PostgreSQL and the local S3 server, everything on the same 2 cores. Memory and handles are compared as medians of the first window after ${round(WARM_UP_MINUTES)} min of warm-up and of the last window (${round(WINDOW_MINUTES)} min each).

${report}

![RSS, open handles and throughput per process over the soak](images/soak.svg)
`;
      const docPath = join(root, "docs/BENCHMARKS.md");
      const doc = readFileSync(docPath, "utf8");
      const pattern = /## Soak \(npm run bench:soak\)[\s\S]*?(?=\n## |$)/;
      const targets = doc.indexOf("\n## Targets at a glance");
      writeFileSync(
        docPath,
        pattern.test(doc)
          ? doc.replace(pattern, section)
          : targets >= 0
            ? `${doc.slice(0, targets + 1)}${section}\n${doc.slice(targets + 1)}`
            : `${doc.trimEnd()}\n\n${section}`,
      );
      console.log("docs/BENCHMARKS.md updated");
    }
  } finally {
    await database?.close();
    for (const client of clients) await client.close();
    await Promise.all(processes.map((p) => p.stop(10_000)));
    await s3.close();
    postgres.stop();
    removeBuild();
  }
}

await main();
