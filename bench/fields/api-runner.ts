/**
 * Drives a Docket server in a child process (server.ts) over its HTTP API, as a client would:
 * log in, upload, submit batches with an `extract` mode, wait for the batch, read each
 * document's fields and the job's result JSON (the document model the pipeline built).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { DocumentModel } from "../../src/domain/document-model.js";
import type { CheckResult, DocumentType, ExtractMode, Field, FieldName } from "../../src/extraction/types.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface JobStep {
  name: string;
  status: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface JobView {
  id: string;
  document_id: string;
  status: string;
  started_at: string | null;
  completed_at: string | null;
  steps: JobStep[];
  error: { code: string; message: string } | null;
}

/** GET /api/v1/documents/:id/fields (API.md). */
export interface FieldsView {
  document_type: DocumentType;
  type_confidence: number;
  fields: Partial<Record<FieldName, Field>>;
  checks: CheckResult[];
  needs_review: boolean;
}

export interface SubmitOptions {
  extract: ExtractMode;
  languages: string[];
}

/** Milliseconds between two ISO times, or NaN. */
export function spanMs(from: string | null | undefined, to: string | null | undefined): number {
  if (!from || !to) return NaN;
  return Date.parse(to) - Date.parse(from);
}

export class BenchServer {
  private token = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly base: string,
    private readonly dataDir: string,
  ) {}

  static async start(templatesDir?: string): Promise<BenchServer> {
    const dataDir = await mkdtemp(join(tmpdir(), "docket-bench-fields-"));
    const args = [
      "--import",
      "tsx",
      join(ROOT, "bench", "fields", "server.ts"),
      dataDir,
      ...(templatesDir ? [templatesDir] : []),
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const base = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line.startsWith("listening ")) resolve(line.slice("listening ".length));
        else process.stderr.write(`[server] ${line}\n`);
      });
      child.on("exit", (code) => reject(new Error(`the bench server exited with ${code}`)));
    });
    const server = new BenchServer(child, base, dataDir);
    const login = await server.request("POST", "/api/v1/auth/login", {
      email: "bench@example.test",
      password: "bench-password",
    });
    server.token = (login as { token: string }).token;
    return server;
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

  private async request(method: string, path: string, json?: unknown, accept404 = false): Promise<unknown> {
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

  /** Submit the documents (in batches of 50) and wait until every job has finished. */
  async process(
    documentIds: readonly string[],
    options: SubmitOptions,
    timeoutMs: number,
  ): Promise<{ jobs: Map<string, JobView>; wallMs: number }> {
    const started = performance.now();
    const batches: string[] = [];
    for (let i = 0; i < documentIds.length; i += 50) {
      const created = (await this.request("POST", "/api/v1/ocr/batch", {
        document_ids: documentIds.slice(i, i + 50),
        ...options,
      })) as { batch_id: string };
      batches.push(created.batch_id);
    }
    const jobs = new Map<string, JobView>();
    const deadline = Date.now() + timeoutMs;
    for (const id of batches) {
      for (;;) {
        const batch = (await this.request("GET", `/api/v1/batches/${id}`)) as {
          counts: Record<string, number>;
          jobs: JobView[];
        };
        if ((batch.counts.pending ?? 0) + (batch.counts.processing ?? 0) === 0) {
          for (const job of batch.jobs) jobs.set(job.document_id, job);
          break;
        }
        if (Date.now() > deadline)
          throw new Error(`batch ${id} unfinished after ${timeoutMs} ms: ${JSON.stringify(batch.counts)}`);
        await sleep(500);
      }
    }
    // The batch lists jobs without step details on some versions: read each job.
    for (const [documentId, job] of jobs)
      if (!Array.isArray(job.steps) || job.steps.length === 0)
        jobs.set(documentId, (await this.request("GET", `/api/v1/ocr/jobs/${job.id}`)) as JobView);
    return { jobs, wallMs: performance.now() - started };
  }

  async fields(documentId: string): Promise<FieldsView | null> {
    return (await this.request("GET", `/api/v1/documents/${documentId}/fields`, undefined, true)) as FieldsView | null;
  }

  async model(jobId: string): Promise<DocumentModel> {
    return (await this.request("GET", `/api/v1/ocr/jobs/${jobId}/result/json`)) as DocumentModel;
  }
}
