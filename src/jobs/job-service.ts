import type { Readable } from "node:stream";
import { sql } from "kysely";
import type { BlobStore } from "../blob/blob-store.js";
import type { Database } from "../db/database.js";
import type { DocumentModel } from "../domain/document-model.js";
import { JOB_STATUSES, type JobStatus, type OutputFormat } from "../domain/types.js";
import { isJobActive } from "../engine/active-job.js";
import type { JobQueue } from "../engine/job-queue.js";
import type { PipelineRegistry } from "../engine/pipeline.js";
import { DocketError, isRetryableFailure } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Scope } from "../domain/scope.js";
import type { FieldsService } from "../fields/fields-service.js";
import { attachSteps, jobToJson, liveDocument, loadJobs, statusOf, type JobJson, type LoadedJob } from "./job-view.js";
import { latestCompletedJobId } from "./document-result.js";
import { resolveOptions, type SubmitOptions } from "./options.js";
import { allSkippedError, submitJobs, type SkippedDocument, type SubmissionDeps } from "./job-submission.js";
import type { BatchJson, ListJobsQuery, ResultJson } from "./job-shapes.js";
import type { DestinationService } from "../destinations/destination-service.js";

/** The pipeline OCR jobs run (registered by the composition root). */
export const OCR_PIPELINE = "ocr";

export const MAX_BATCH = 50;

/** Submitting, reading and controlling OCR jobs, always scoped to the caller. */
export class JobService {
  constructor(
    private readonly database: Database,
    private readonly queue: JobQueue,
    private readonly registry: PipelineRegistry,
    private readonly blobStore: BlobStore,
    private readonly log: Logger,
    private readonly defaultLanguages: readonly string[],
    private readonly fields: Pick<FieldsService, "forJob">,
    /** Resolves `destinations` (ids, or the user's defaults) into the job's deliver steps; absent: none. */
    private readonly destinations?: Pick<DestinationService, "resolveForSubmit">,
  ) {}

  private pipeline() {
    const pipeline = this.registry.get(OCR_PIPELINE);
    if (!pipeline)
      throw new DocketError("transient_error", "the OCR pipeline is not available on this server", { status: 503 });
    return pipeline;
  }

  /** Throws the submit's validation_error for options this server cannot run (before any upload is stored). */
  checkSubmitOptions(input: SubmitOptions): void {
    const { options } = resolveOptions(input, this.defaultLanguages);
    this.pipeline().checkOptions?.(options);
  }

  private submission(): SubmissionDeps {
    const { database, queue, defaultLanguages, destinations } = this;
    return { database, queue, pipeline: this.pipeline(), defaultLanguages, destinations };
  }

  /** One job; 409 job_active naming the document's active job if it has one. */
  async submit(scope: Scope, documentId: string, input: SubmitOptions): Promise<JobJson> {
    const { jobs } = await submitJobs(this.submission(), scope, [documentId], input, false);
    return jobs[0]!;
  }

  /**
   * An upload that asked to be processed (a new document or a duplicate of one). The
   * document's active job answers it when it runs with the options asked for, and so does a
   * completed latest job that ran with them; otherwise a new job is submitted. An active job
   * with other options is a 409 job_active naming the job and the difference: the request's
   * options are never silently dropped. Two such uploads at once: the one whose submit loses
   * the race is answered by the winner's job as if it had been there first.
   */
  async processUpload(scope: Scope, documentId: string, input: SubmitOptions): Promise<void> {
    const wanted = resolveOptions(input, this.defaultLanguages).options;
    const differingFrom = (job: LoadedJob["job"]) =>
      (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
        (name) => JSON.stringify(job.options[name]) !== JSON.stringify(wanted[name]),
      );
    const answerWithActive = async (jobId: string) => {
      const { job } = await this.load(scope, jobId);
      if (job.status !== "pending" && job.status !== "processing") return false;
      const differing = differingFrom(job);
      if (differing.length === 0) return true;
      throw new DocketError(
        "job_active",
        `this file is already being processed by job ${job.id} with other options (${differing.join(", ")}); cancel that job or wait for it, then submit again`,
        { details: { job_id: job.id, differing_options: differing } },
      );
    };
    const document = await this.database.db
      .selectFrom("documents")
      .select("latest_job_id")
      .where("id", "=", documentId)
      .executeTakeFirst();
    if (document?.latest_job_id) {
      if (await answerWithActive(document.latest_job_id)) return;
      const { job } = await this.load(scope, document.latest_job_id);
      if (job.status === "completed" && differingFrom(job).length === 0) return;
    }
    try {
      await this.submit(scope, documentId, input);
    } catch (error) {
      const jobId = isJobActive(error) ? error.details?.job_id : undefined;
      if (typeof jobId !== "string" || !(await answerWithActive(jobId))) throw error;
    }
  }

  /**
   * 1 to 50 documents: every one must exist and be the caller's (else nothing is created);
   * those with an active job are listed in `skipped` and the others submitted, in one
   * transaction. If every one is skipped, 409 job_active naming their jobs.
   */
  async submitBatch(
    scope: Scope,
    documentIds: readonly string[],
    input: SubmitOptions,
  ): Promise<{ batch_id: string; jobs: JobJson[]; skipped: SkippedDocument[] }> {
    if (documentIds.length === 0 || documentIds.length > MAX_BATCH) {
      throw new DocketError("validation_error", `a batch has 1 to ${MAX_BATCH} documents`, {
        details: { fields: ["document_ids"] },
      });
    }
    const { batchId, jobs, skipped } = await submitJobs(this.submission(), scope, documentIds, input, true);
    if (batchId === null) throw allSkippedError(skipped);
    return { batch_id: batchId, jobs, skipped };
  }

  /**
   * One batch of any size for a collection's process stage; documents that have an active
   * job by the time their job is inserted are in `skipped` (the stage read them before).
   */
  async submitCollectionBatch(
    scope: Scope,
    documentIds: readonly string[],
    input: SubmitOptions,
  ): Promise<{ batch_id: string | null; jobs: JobJson[]; skipped: SkippedDocument[] }> {
    const { batchId, jobs, skipped } = await submitJobs(this.submission(), scope, documentIds, input, true);
    return { batch_id: batchId, jobs, skipped };
  }

  /** The document's latest completed job (its results are the document's results); see document-result.ts. */
  latestCompletedJobId(scope: Scope, documentId: string): Promise<string> {
    return latestCompletedJobId(this.database, scope, documentId);
  }

  /**
   * The job with its steps, or not_found: also for another user's job, and for a job of a
   * deleted document (it can no longer be read, retried or downloaded: its document is gone).
   */
  async load(scope: Scope, jobId: string): Promise<LoadedJob> {
    const loaded = (await loadJobs(this.database, [jobId])).get(jobId);
    if (!loaded || (!scope.admin && loaded.job.ownerId !== scope.userId))
      throw new DocketError("not_found", "job not found");
    // A collection job (the compile stage) has no document: its collection must still exist.
    if (loaded.job.documentId === null) {
      const collection = await sql<{ deleted_at: number | null }>`select c.deleted_at from jobs j
        join collections c on c.id = j.collection_id where j.id = ${jobId}`.execute(this.database.db);
      const row = collection.rows[0];
      if (!row || row.deleted_at !== null) throw new DocketError("not_found", "job not found");
      return loaded;
    }
    const document = await this.database.db
      .selectFrom("documents")
      .select("deleted_at")
      .where("id", "=", loaded.job.documentId)
      .executeTakeFirst();
    if (!document || document.deleted_at !== null) throw new DocketError("not_found", "job not found");
    return loaded;
  }

  async get(scope: Scope, jobId: string): Promise<JobJson> {
    const { job, steps } = await this.load(scope, jobId);
    return jobToJson(job, steps);
  }

  async list(scope: Scope, query: ListJobsQuery): Promise<{ items: JobJson[]; total: number }> {
    let base = this.database.db.selectFrom("jobs").where(liveDocument);
    if (!scope.admin) base = base.where("owner_id", "=", scope.userId);
    if (query.status) base = base.where("status", "=", query.status);
    if (query.documentId) base = base.where("document_id", "=", query.documentId);
    if (query.batchId) base = base.where("batch_id", "=", query.batchId);
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    const loaded = await attachSteps(this.database, rows);
    const now = Date.now();
    return {
      items: rows.map((r) => jobToJson(loaded.get(r.id)!.job, loaded.get(r.id)!.steps, now)),
      total: Number(count.n),
    };
  }

  async cancel(scope: Scope, jobId: string): Promise<JobJson> {
    await this.load(scope, jobId);
    await this.queue.cancel(jobId);
    return this.get(scope, jobId);
  }

  async retry(scope: Scope, jobId: string): Promise<JobJson> {
    const { job } = await this.load(scope, jobId);
    if (job.status === "failed" && job.error && !isRetryableFailure(job.error.code)) {
      throw new DocketError(
        "not_retryable",
        `the job failed with ${job.error.code}, a problem with the file itself: a retry would fail the same way; upload a corrected file`,
        { details: { error_code: job.error.code } },
      );
    }
    await this.queue.retry(jobId);
    return this.get(scope, jobId);
  }

  async delete(scope: Scope, jobId: string): Promise<void> {
    await this.load(scope, jobId);
    const { artifacts, workspace } = await this.queue.delete(jobId);
    // Blobs go after the rows: a crash in between leaves an orphan blob, never a row without its blob.
    for (const key of artifacts)
      await this.blobStore
        .delete(key)
        .catch((error: unknown) => this.log.warn({ err: error, key }, "could not delete an artifact blob"));
    await this.blobStore
      .deletePrefix(workspace)
      .catch((error: unknown) => this.log.warn({ err: error, workspace }, "could not delete a job workspace"));
  }

  private async artifacts(jobId: string) {
    return this.database.db.selectFrom("artifacts").selectAll().where("job_id", "=", jobId).orderBy("kind").execute();
  }

  private async readText(key: string | undefined): Promise<string | null> {
    if (!key) return null;
    return (await this.blobStore.getBuffer(key)).toString("utf8");
  }

  async result(scope: Scope, jobId: string, baseUrl: string): Promise<ResultJson> {
    const { job } = await this.load(scope, jobId);
    if (job.status !== "completed")
      throw new DocketError("not_ready", `the job is ${job.status}; the result exists once it is completed`);
    const artifacts = await this.artifacts(jobId);
    const byKind = new Map(artifacts.map((a) => [a.kind, a]));
    let confidence: number | null = null;
    const model = byKind.get("json");
    if (model) {
      try {
        const parsed = JSON.parse((await this.readText(model.blob_key)) ?? "null") as Partial<DocumentModel> | null;
        const pages = parsed?.pages ?? [];
        if (pages.length > 0)
          confidence = Math.round((pages.reduce((sum, p) => sum + (p.confidence ?? 0), 0) / pages.length) * 100) / 100;
      } catch (error) {
        this.log.warn({ err: error, jobId }, "the JSON artifact is not a document model");
      }
    }
    const doc = await this.database.db
      .selectFrom("documents")
      .select("num_pages")
      .where("id", "=", job.documentId)
      .executeTakeFirst();
    return {
      job_id: job.id,
      document_id: job.documentId as string, // results are a document job's
      text: await this.readText(byKind.get("txt")?.blob_key),
      markdown: await this.readText(byKind.get("md")?.blob_key),
      confidence,
      processing_time_ms: job.startedAt && job.completedAt ? job.completedAt.getTime() - job.startedAt.getTime() : null,
      num_pages: doc?.num_pages === null || doc?.num_pages === undefined ? null : Number(doc.num_pages),
      formats: artifacts.map((a) => ({
        format: a.kind,
        mime_type: a.mime_type,
        size_bytes: Number(a.size_bytes),
        url: `${baseUrl}/api/v1/ocr/jobs/${jobId}/result/${a.kind}`,
      })),
      fields: await this.fields.forJob(jobId),
    };
  }

  async resultFile(
    scope: Scope,
    jobId: string,
    format: OutputFormat,
  ): Promise<{ stream: Readable; mimeType: string; size: number; documentName: string }> {
    const { job } = await this.load(scope, jobId);
    if (job.status !== "completed")
      throw new DocketError("not_ready", `the job is ${job.status}; the result exists once it is completed`);
    const artifact = (await this.artifacts(jobId)).find((a) => a.kind === format);
    if (!artifact)
      throw new DocketError(
        "not_found",
        `this job has no ${format} output (outputs: ${job.options.outputs.join(", ")})`,
      );
    const doc = await this.database.db
      .selectFrom("documents")
      .select("safe_filename")
      .where("id", "=", job.documentId)
      .executeTakeFirst();
    return {
      stream: await this.blobStore.get(artifact.blob_key),
      mimeType: artifact.mime_type,
      size: Number(artifact.size_bytes),
      documentName: doc?.safe_filename ?? "document",
    };
  }

  async batch(scope: Scope, batchId: string): Promise<BatchJson> {
    let query = this.database.db.selectFrom("batches").selectAll().where("id", "=", batchId);
    if (!scope.admin) query = query.where("owner_id", "=", scope.userId);
    const batch = await query.executeTakeFirst();
    if (!batch) throw new DocketError("not_found", "batch not found");
    const rows = await this.database.db
      .selectFrom("jobs")
      .selectAll()
      .where("batch_id", "=", batchId)
      .where(liveDocument)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    const loaded = await attachSteps(this.database, rows);
    const now = Date.now();
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    let sum = 0;
    const jobs = rows.map((r) => {
      const l = loaded.get(r.id)!;
      counts[l.job.status]++;
      // A finished job (whatever its outcome) is done as far as the batch's progress goes.
      sum += l.job.status === "pending" || l.job.status === "processing" ? statusOf(l, now).percentage : 100;
      return jobToJson(l.job, l.steps, now);
    });
    return {
      id: batch.id,
      total: rows.length,
      counts,
      percentage: rows.length === 0 ? 0 : Math.round((sum / rows.length) * 10) / 10,
      created_at: new Date(Number(batch.created_at)).toISOString(),
      jobs,
    };
  }
}
