/**
 * Real Docket processes for the chaos test: `docket serve --no-workers` and `docket worker`
 * started from the sources compiled for the run, each with its own data dir, sharing one PostgreSQL and one
 * S3 bucket. They can be SIGKILLed and restarted; their output goes to log files.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * The sources compiled once for the run, one level below the checkout as dist/ is (the code
 * finds package.json and node_modules from there). A process started through tsx costs about
 * twice the CPU of a compiled one, and the test starts dozens on a machine it shares.
 */
const BUILD_DIR = join(ROOT, ".chaos-build");
export const CLI = join(BUILD_DIR, "cli", "main.js");

/** Compiles src/ into BUILD_DIR without type checking (lint checks types): seconds, not a minute. */
export async function buildServer(): Promise<void> {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const options = ["--noCheck", "--incremental", "false", "--sourceMap", "false", "--outDir", BUILD_DIR];
  await promisify(execFile)(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), ...options], {
    cwd: ROOT,
  });
}

export function removeBuild(): void {
  rmSync(BUILD_DIR, { recursive: true, force: true });
}

/** The environment of one Docket process of the cluster (its own data dir, the shared database and bucket). */
export function clusterEnv(o: { databaseUrl: string; blobUrl: string; dataDir: string }): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    DOCKET_BLOB_URL: o.blobUrl,
    DOCKET_DATA_DIR: o.dataDir,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    LOG_LEVEL: "info",
    DOCKET_LOG_FORMAT: "json",
    DOCKET_RATE_LIMIT_PER_MIN: "1000000",
    DOCKET_UPLOAD_RATE_LIMIT_PER_MIN: "1000000",
    DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "1000000",
    DOCKET_OCR_ENGINE: "wasm",
    DOCKET_BLOB_SWEEP_MINUTES: "0",
    DOCKET_MIN_FREE_DISK_MB: "0",
    HOST: "127.0.0.1",
  };
}

/** Sets up the first admin through `api` and returns an API token of theirs. */
export async function createAdminToken(api: string): Promise<string> {
  const credentials = JSON.stringify({ email: "cluster@example.test", password: "cluster-password" });
  const json = { "content-type": "application/json" };
  const setup = await fetch(`${api}/api/v1/setup`, { method: "POST", headers: json, body: credentials });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${await setup.text()}`);
  const login = await fetch(`${api}/api/v1/auth/login`, { method: "POST", headers: json, body: credentials });
  const session = (await login.json()) as { token: string };
  const created = await fetch(`${api}/api/v1/tokens`, {
    method: "POST",
    headers: { ...json, authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ name: "cluster" }),
  });
  return ((await created.json()) as { token: string }).token;
}

export interface ProcessSpec {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** API processes: the port (ready when /healthz answers). Workers: ready when they log "worker started". */
  port?: number;
}

export class DocketProcess {
  private child: ChildProcess | null = null;
  /** Every child still alive, abandoned starts included: stop() leaves none behind. */
  private readonly alive = new Set<ChildProcess>();
  private generation = 0;
  /** Exits nobody asked for (a crash, not a SIGKILL of the test's). */
  readonly unexpectedExits: string[] = [];
  starts = 0;

  constructor(
    readonly spec: ProcessSpec,
    private readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** The running process's id (to sample its memory and handles). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Running and done starting (ready to serve or claim). */
  ready = false;
  /** When the running process became ready (Date.now()); 0 when it is not. */
  readySince = 0;
  /** Jobs the running process logged as completed (workers): it has done some work since it started. */
  jobsCompleted = 0;

  /** Starts the process and waits until it is ready. */
  async start(timeoutMs = 180_000): Promise<void> {
    const generation = ++this.generation;
    this.starts++;
    this.ready = false;
    this.jobsCompleted = 0;
    const log = createWriteStream(join(this.logDir, `${this.spec.name}.${this.starts}.log`));
    const child = spawn(process.execPath, [CLI, ...this.spec.args], {
      cwd: ROOT,
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.alive.add(child);
    child.once("exit", () => this.alive.delete(child));
    let output = "";
    let started = false;
    let partialLine = "";
    const onStdout = (chunk: Buffer) => {
      onData(chunk);
      const lines = (partialLine + chunk.toString()).split("\n");
      partialLine = lines.pop()!;
      for (const line of lines)
        if (line.includes('"msg":"job completed"') && this.child === child) this.jobsCompleted++;
    };
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (!started) output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on("data", onStdout);
    child.stderr!.on("data", onData);
    child.on("exit", (code, signal) => {
      log.end();
      if (this.generation === generation) {
        this.child = null;
        this.ready = false;
        // A process that fails to start (PostgreSQL restarting) is the supervisor's to restart;
        // one that was serving and exits on its own is a crash.
        if (started && signal !== "SIGKILL" && signal !== "SIGTERM" && code !== 0)
          this.unexpectedExits.push(`${this.spec.name}: exit ${code ?? signal}`);
      }
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child !== child) throw new Error(`${this.spec.name} exited while starting: ${output.slice(-2_000)}`);
      if (this.spec.port !== undefined) {
        const ok = await fetch(`${this.url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
      } else if (output.includes("worker started")) break;
      if (Date.now() > deadline) {
        // Not ready in time: this start is abandoned, and so is its process.
        child.kill("SIGKILL");
        throw new Error(`${this.spec.name} not ready in ${timeoutMs} ms: ${output.slice(-2_000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    started = true;
    this.ready = true;
    this.readySince = Date.now();
  }

  /** CPU time (user + system) of this process's earlier runs, read as each was stopped or killed. */
  cpuMs = 0;

  /** Adds the running process's CPU time so far to cpuMs (just before it is signalled). */
  private countCpu(pid: number | undefined): void {
    if (pid === undefined) return;
    try {
      // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      this.cpuMs += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // Already gone.
    }
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.countCpu(this.child?.pid);
    this.child?.kill(signal);
    this.child = null;
    this.ready = false;
  }

  /** SIGTERM and wait for the graceful exit (SIGKILL after `graceMs`). */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.child;
    for (const other of this.alive) if (other !== child) other.kill("SIGKILL");
    if (!child) return;
    this.generation++;
    this.child = null;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    this.countCpu(child.pid);
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
