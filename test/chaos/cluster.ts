/**
 * Real Docket processes for the chaos test: `docket serve --no-workers` and `docket worker`
 * started from the sources (tsx), each with its own data dir, sharing one PostgreSQL and one
 * S3 bucket. They can be SIGKILLed and restarted; their output goes to log files.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const CLI = join(ROOT, "src", "cli", "main.ts");

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

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Running and done starting (ready to serve or claim). */
  ready = false;

  /** Starts the process and waits until it is ready. */
  async start(timeoutMs = 180_000): Promise<void> {
    const generation = ++this.generation;
    this.starts++;
    this.ready = false;
    const log = createWriteStream(join(this.logDir, `${this.spec.name}.${this.starts}.log`));
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...this.spec.args], {
      cwd: ROOT,
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.alive.add(child);
    child.once("exit", () => this.alive.delete(child));
    let output = "";
    let started = false;
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (!started) output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on("data", onData);
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
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
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
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
