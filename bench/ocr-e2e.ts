/**
 * bench:ocr's end-to-end contender: receipts submitted through the real HTTP API to a warm
 * server (ocr-e2e-server.ts: 2 job slots, default engine, SQLite, fsync) with `txt,json`
 * outputs, from the submit to the last job's completion, against the bare tesseract CLI on
 * the same files (2 processes at a time) in the same run. Rounds alternate which goes first,
 * so load from elsewhere on the machine falls on both alike.
 *
 * Also reports the server's CPU per page (its process and its tesseract children, running or
 * reaped, from /proc: support/process-cpu.ts) beside the bare CLI's (its reaped processes) and where a job's time goes: queue wait, each step, and the gaps between steps
 * (transitions).
 */
import { execFile, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { BenchApiClient } from "./support/bench-api-client.js";
import { processOwnCpu, processTreeCpu, reapedChildrenCpu } from "./support/process-cpu.js";

const PARALLEL = 2;

interface StepView {
  name: string;
  started_at: string | null;
  completed_at: string | null;
}
interface JobView {
  id: string;
  document_id: string;
  status: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  steps: StepView[];
}

export interface EndToEndRound {
  docketSeconds: number;
  bareSeconds: number;
  /** Server CPU seconds (process + tesseract children) per page in this round. */
  cpuPerPage: number | undefined;
  /** The bare CLI's CPU seconds per page (its reaped processes), in the same round. */
  bareCpuPerPage: number | undefined;
  /** Of cpuPerPage, the server process's own (all its threads: Node, libvips), without tesseract. */
  serverCpuPerPage: number | undefined;
}

export interface EndToEndResult {
  receipts: number;
  rounds: EndToEndRound[];
  /** Docket's wall time over the bare CLI's, per round. */
  ratios: number[];
  /** Mean ms per job: queue wait, each step, transitions (job time not inside a step). */
  stepMs: Record<string, number>;
  failed: number;
}

/** The e2e server: all documents as one batch, `txt,json`, timed by the server's own clock. */
class Server {
  private constructor(readonly client: BenchApiClient) {}

  static async start(): Promise<Server> {
    return new Server(
      await BenchApiClient.start({ script: "bench/ocr-e2e-server.ts", dataDirPrefix: "docket-bench-ocr-e2e-" }),
    );
  }

  get child(): ChildProcess {
    return this.client.child;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  upload(bytes: Uint8Array, filename: string): Promise<string> {
    return this.client.upload(bytes, filename);
  }

  /** Submit all documents as one batch; resolves with the finished jobs and the wall time. */
  async run(documentIds: readonly string[]): Promise<{ jobs: JobView[]; seconds: number }> {
    const started = Date.now();
    const batchId = await this.client.submitBatch(documentIds, { outputs: ["txt", "json"], extract: "off" });
    const listed = await this.client.waitForBatch<JobView>(batchId, 100);
    const jobs = await Promise.all(
      listed.map((j) => this.client.request("GET", `/api/v1/ocr/jobs/${j.id}`) as Promise<JobView>),
    );
    // The last completion by the server's clock (same machine), not by this poll's.
    const last = Math.max(...jobs.map((j) => Date.parse(j.completed_at ?? "") || Date.now()));
    return { jobs, seconds: (last - started) / 1000 };
  }
}

function bareCli(binary: string, file: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(binary, [file, "stdout", "-l", "eng"], { env: { ...process.env, OMP_THREAD_LIMIT: "1" } }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

async function bareRound(binary: string, files: readonly string[]): Promise<{ seconds: number; cpu?: number }> {
  const cpuBefore = reapedChildrenCpu();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < files.length) await bareCli(binary, files[next++]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = reapedChildrenCpu();
  return cpuBefore === undefined || cpuAfter === undefined ? { seconds } : { seconds, cpu: cpuAfter - cpuBefore };
}

const ms = (from: string | null, to: string | null): number =>
  from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : 0;

export async function runEndToEnd(files: readonly string[], binary: string, rounds = 3): Promise<EndToEndResult> {
  const server = await Server.start();
  try {
    const ids: string[] = [];
    for (const file of files) ids.push(await server.upload(await readFile(file), basename(file)));
    // Warm: the first jobs start the tesseract.js threads, compile the pipeline's code paths.
    await server.run(ids.slice(0, 4));
    const out: EndToEndRound[] = [];
    const sums: Record<string, number> = {};
    let jobsSeen = 0;
    let failed = 0;
    for (let r = 0; r < rounds; r++) {
      const docketFirst = r % 2 === 0;
      let bare: { seconds: number; cpu?: number } = { seconds: 0 };
      if (!docketFirst) bare = await bareRound(binary, files);
      const cpuBefore = processTreeCpu(server.child.pid!);
      const ownBefore = processOwnCpu(server.child.pid!);
      const { jobs, seconds } = await server.run(ids);
      const cpuAfter = processTreeCpu(server.child.pid!);
      const ownAfter = processOwnCpu(server.child.pid!);
      if (docketFirst) bare = await bareRound(binary, files);
      out.push({
        docketSeconds: seconds,
        bareSeconds: bare.seconds,
        cpuPerPage:
          cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / files.length,
        bareCpuPerPage: bare.cpu === undefined ? undefined : bare.cpu / files.length,
        serverCpuPerPage:
          ownBefore === undefined || ownAfter === undefined ? undefined : (ownAfter - ownBefore) / files.length,
      });
      for (const job of jobs) {
        if (job.status !== "completed") failed++;
        jobsSeen++;
        sums["queue wait"] = (sums["queue wait"] ?? 0) + ms(job.created_at, job.started_at);
        let inSteps = 0;
        for (const step of job.steps) {
          const d = ms(step.started_at, step.completed_at);
          inSteps += d;
          sums[step.name] = (sums[step.name] ?? 0) + d;
        }
        sums["transitions"] = (sums["transitions"] ?? 0) + Math.max(0, ms(job.started_at, job.completed_at) - inSteps);
      }
    }
    const stepMs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, jobsSeen)]));
    return {
      receipts: files.length,
      rounds: out,
      ratios: out.map((r) => r.docketSeconds / r.bareSeconds),
      stepMs,
      failed,
    };
  } finally {
    await server.stop();
  }
}
