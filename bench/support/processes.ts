/**
 * Child processes and CPU accounting for bench:queue: workers started until they print
 * "ready", stopped with SIGTERM, and the CPU they and PostgreSQL's backends used per job.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
export const now = () => performance.timeOrigin + performance.now();

/** BENCH_CPU_PROF=<dir>: the Node flags that make a bench's child process write a V8 CPU profile there. */
export function cpuProfileFlags(): string[] {
  return process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
}

export function spawnReady(script: string, argv: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...cpuProfileFlags(), "--import", "tsx", script, ...argv], {
    stdio: ["ignore", "pipe", "inherit"],
    cwd: root,
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => line === "ready" && resolve(child));
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** CPU seconds (user + system, all threads) used so far by each of these processes; gone ones count 0. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended: its time is not counted (callers sample while everything runs).
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** The server processes serving this database's connections (PostgreSQL runs on this machine). */
export async function backendPids(client: {
  query: (q: string) => Promise<{ rows: { pid: number }[] }>;
}): Promise<number[]> {
  const { rows } = await client.query(`select pid from pg_stat_activity where datname = current_database()`);
  return rows.map((r) => Number(r.pid));
}

/** CPU per job in the measured window: worker processes and PostgreSQL backends (µs/job). */
export interface CpuCost {
  workerUs: number;
  databaseUs: number;
}

/**
 * Starts a CPU measurement of the worker processes and the database backends; `end(jobs)`
 * gives the cost per job. Backends opened during the window count from their start.
 */
export async function startCpuWindow(
  workerPids: number[],
  backends: () => Promise<number[]>,
): Promise<{ end(jobs: number): Promise<CpuCost> }> {
  const seen = await backends();
  const before = { workers: cpuSeconds(workerPids), database: cpuSeconds(seen) };
  return {
    async end(jobs) {
      const all = [...seen, ...(await backends()).filter((pid) => !seen.includes(pid))];
      return {
        workerUs: ((cpuSeconds(workerPids) - before.workers) / jobs) * 1e6,
        databaseUs: ((cpuSeconds(all) - before.database) / jobs) * 1e6,
      };
    },
  };
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
          setTimeout(() => c.kill("SIGKILL"), 10_000).unref();
        }),
    ),
  );
}
