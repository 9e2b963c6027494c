/**
 * A Docket server in a child process, driven over its HTTP API as a client would: start the
 * server script (it prints "listening <base url>"), log in as the bench admin, upload, call
 * the API, wait for a batch, stop. Shared by bench:fields (fields/api-runner.ts) and
 * bench:ocr's end-to-end contender (ocr-e2e.ts); the server scripts use bench-server-main.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { cpuProfileFlags } from "./processes.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The admin account every bench server is started with. */
export const BENCH_ADMIN = { email: "bench@example.test", password: "bench-password" };

export interface StartOptions {
  /** The server script, relative to the repository root. */
  script: string;
  /** Arguments after the fresh data directory. */
  args?: readonly string[];
  /** Prefix of the temporary data directory's name. */
  dataDirPrefix: string;
  /** Echo the server's other stdout lines to stderr (else they are dropped). */
  echoOutput?: boolean;
}

export class BenchApiClient {
  private token = "";

  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
    private readonly dataDir: string,
  ) {}

  static async start(options: StartOptions): Promise<BenchApiClient> {
    const dataDir = await mkdtemp(join(tmpdir(), options.dataDirPrefix));
    const args = [
      ...cpuProfileFlags(),
      "--import",
      "tsx",
      join(ROOT, options.script),
      dataDir,
      ...(options.args ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const base = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("listening ")) resolve(line.slice("listening ".length));
        else if (options.echoOutput) process.stderr.write(`[server] ${line}\n`);
      });
      child.on("exit", (code) => reject(new Error(`the bench server exited with ${code}`)));
    });
    const client = new BenchApiClient(child, base, dataDir);
    const login = (await client.request("POST", "/api/v1/auth/login", BENCH_ADMIN)) as { token: string };
    client.token = login.token;
    return client;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000)]);
      if (this.child.exitCode === null) this.child.kill("SIGKILL");
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** JSON in, JSON out; `accept404` answers null for 404 and 409 instead of throwing. */
  async request(method: string, path: string, json?: unknown, accept404 = false): Promise<unknown> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    if (json !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    if (accept404 && (res.status === 404 || res.status === 409)) return null;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  }

  /** Upload without processing; returns the document id. */
  async upload(bytes: Uint8Array, filename: string): Promise<string> {
    const form = new FormData();
    form.append("file", new Blob([bytes]), filename);
    const res = await fetch(`${this.base}/api/v1/documents/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}` },
      body: form,
    });
    const body = (await res.json()) as { document?: { id: string } };
    if (!res.ok || !body.document)
      throw new Error(`upload ${filename}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body.document.id;
  }

  /** Submits one batch; returns its id. */
  async submitBatch(documentIds: readonly string[], options: Record<string, unknown>): Promise<string> {
    const created = (await this.request("POST", "/api/v1/ocr/batch", {
      document_ids: documentIds,
      ...options,
    })) as { batch_id: string };
    return created.batch_id;
  }

  /** Polls the batch until no job is pending or processing; returns its jobs (as the batch lists them). */
  async waitForBatch<Job>(batchId: string, pollMs: number, deadline = Infinity): Promise<Job[]> {
    for (;;) {
      const batch = (await this.request("GET", `/api/v1/batches/${batchId}`)) as {
        counts: Record<string, number>;
        jobs: Job[];
      };
      if ((batch.counts.pending ?? 0) + (batch.counts.processing ?? 0) === 0) return batch.jobs;
      if (Date.now() > deadline) throw new Error(`batch ${batchId} unfinished: ${JSON.stringify(batch.counts)}`);
      await sleep(pollMs);
    }
  }
}
