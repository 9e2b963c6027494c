/**
 * Drives a Docket server in a child process (server.ts) over its HTTP API, as a client would
 * (support/bench-api-client.ts): log in, upload, submit batches with an `extract` mode, wait for the batch, read each
 * document's fields and the job's result JSON (the document model the pipeline built).
 */
import type { DocumentModel } from "../../src/domain/document-model.js";
import type { CheckResult, DocumentType, ExtractMode, Field, FieldName } from "../../src/extraction/types.js";
import { BenchApiClient } from "../support/bench-api-client.js";

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

/** The bench:fields server: extraction through the API, on the shared bench client. */
export class BenchServer {
  private constructor(private readonly client: BenchApiClient) {}

  static async start(templatesDir?: string): Promise<BenchServer> {
    return new BenchServer(
      await BenchApiClient.start({
        script: "bench/fields/server.ts",
        args: templatesDir ? [templatesDir] : [],
        dataDirPrefix: "docket-bench-fields-",
        echoOutput: true,
      }),
    );
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  /** Upload without processing; returns the document id. */
  upload(bytes: Uint8Array, filename: string): Promise<string> {
    return this.client.upload(bytes, filename);
  }

  /** Submit the documents (in batches of 50) and wait until every job has finished. */
  async process(
    documentIds: readonly string[],
    options: SubmitOptions,
    timeoutMs: number,
  ): Promise<{ jobs: Map<string, JobView>; wallMs: number }> {
    const started = performance.now();
    const batches: string[] = [];
    for (let i = 0; i < documentIds.length; i += 50)
      batches.push(await this.client.submitBatch(documentIds.slice(i, i + 50), { ...options }));
    const jobs = new Map<string, JobView>();
    const deadline = Date.now() + timeoutMs;
    for (const id of batches)
      for (const job of await this.client.waitForBatch<JobView>(id, 500, deadline)) jobs.set(job.document_id, job);
    // The batch lists jobs without step details on some versions: read each job.
    for (const [documentId, job] of jobs)
      if (!Array.isArray(job.steps) || job.steps.length === 0)
        jobs.set(documentId, (await this.client.request("GET", `/api/v1/ocr/jobs/${job.id}`)) as JobView);
    return { jobs, wallMs: performance.now() - started };
  }

  async fields(documentId: string): Promise<FieldsView | null> {
    return (await this.client.request(
      "GET",
      `/api/v1/documents/${documentId}/fields`,
      undefined,
      true,
    )) as FieldsView | null;
  }

  async model(jobId: string): Promise<DocumentModel> {
    return (await this.client.request("GET", `/api/v1/ocr/jobs/${jobId}/result/json`)) as DocumentModel;
  }
}
