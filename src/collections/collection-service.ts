import type { Database } from "../db/database.js";
import { writeTransaction, type Tx } from "../db/transaction.js";
import type { Scope } from "../documents/document-service.js";
import { deriveStatus, type UnifiedStatus } from "../domain/status.js";
import { newId } from "../engine/ids.js";
import { DocketError } from "../errors.js";
import { attachSteps, jobToJson, loadJobs, statusOf } from "../jobs/job-view.js";
import type { JobService } from "../jobs/job-service.js";
import type { SubmitOptions } from "../jobs/options.js";
import { liveDocumentIdsOf } from "../documents/document-repository.js";
import { artifactOfJob } from "../jobs/job-reads.js";
import {
  appendMembers,
  findCollection,
  insertCollection,
  latestCollectionJob,
  listCollections,
  maxEventId,
  memberIdsOf,
  members,
  removeMember,
  reserveVersion,
  softDeleteCollection,
  touchCollection,
  wouldExceedMembers,
  type CollectionRow,
} from "./collection-repository.js";
import {
  collectionToJson,
  type CollectionJobEnqueuer,
  type CollectionJobJson,
  type CollectionJson,
  type CollectionStatus,
  type ProcessResult,
} from "./collection-types.js";
import { aggregateProgress, compileGate, compileStageStatus, processStage, type MemberState } from "./stages.js";
import { COMPILE_MIME, COMPILE_OUTPUTS, compileFileName, type CompileOutput } from "./compile/outputs.js";
import type { Readable } from "node:stream";
import type { BlobStore } from "../blob/blob-store.js";
import { PassThrough } from "node:stream";
import type { DocumentStatus } from "../domain/types.js";
import type { ReviewThresholds } from "../extraction/types.js";
import { compileMembers } from "./compile/compile-source.js";
import { writeFieldsCsv } from "./compile/fields-table.js";

export type {
  CollectionJobEnqueuer,
  CollectionJobJson,
  CollectionJson,
  CollectionStatus,
  ProcessResult,
} from "./collection-types.js";

export const MAX_MEMBERS = 1_000;

/** Only for a service built without configuration (a tool); the composition roots pass the configured ones. */
const DEFAULT_THRESHOLDS: ReviewThresholds = { ocrConfidence: 60, fieldConfidence: 0.5 };

/** Collections: a user's named, ordered sets of documents, run in two gated stages. */
export class CollectionService {
  private enqueuer: CollectionJobEnqueuer | null = null;

  constructor(
    private readonly database: Database,
    private readonly jobs: Pick<JobService, "submitCollectionBatch">,
    private readonly blobStore: BlobStore,
    private readonly thresholds: ReviewThresholds = DEFAULT_THRESHOLDS,
  ) {}

  /** The compile stage needs the engine's collection jobs; until one is set, compile answers 503. */
  setEnqueuer(enqueuer: CollectionJobEnqueuer): void {
    this.enqueuer = enqueuer;
  }

  async load(scope: Scope, id: string): Promise<CollectionRow> {
    const row = await findCollection(this.database.db, scope, id);
    if (!row) throw new DocketError("not_found", "collection not found");
    return row;
  }

  async create(scope: Scope, name: string): Promise<CollectionJson> {
    const id = newId();
    const now = Date.now();
    const row = await writeTransaction(this.database, async (trx) => {
      const values = {
        id,
        owner_id: scope.userId,
        name,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        version: await reserveVersion(trx, this.database.dialect),
      };
      await insertCollection(trx, values);
      return values;
    });
    return collectionToJson(row, []);
  }

  async get(scope: Scope, id: string): Promise<CollectionJson> {
    const row = await this.load(scope, id);
    return collectionToJson(row, (await memberIdsOf(this.database.db, [row.id])).get(row.id) ?? []);
  }

  async list(scope: Scope, page: number, pageSize: number): Promise<{ items: CollectionJson[]; total: number }> {
    const { rows, total } = await listCollections(this.database.db, scope, page, pageSize);
    const ids = await memberIdsOf(
      this.database.db,
      rows.map((r) => r.id),
    );
    return { items: rows.map((r) => collectionToJson(r, ids.get(r.id) ?? [])), total };
  }

  /** Soft delete; the documents stay, and an active compile job is left to the caller to cancel first. */
  async delete(scope: Scope, id: string): Promise<void> {
    const row = await this.load(scope, id);
    const job = await latestCollectionJob(this.database.db, row.id);
    if (job && (job.status === "pending" || job.status === "processing"))
      throw new DocketError("job_active", `the collection's compile job ${job.id} is ${job.status}; cancel it first`, {
        details: { job_id: job.id },
      });
    const now = Date.now();
    await writeTransaction(this.database, (trx) => softDeleteCollection(trx, row.id, now));
  }

  /** Appends documents in the order given; every id must be a live document of the collection's owner (else 404, nothing added). */
  async addDocuments(scope: Scope, id: string, documentIds: readonly string[]): Promise<CollectionJson> {
    const row = await this.load(scope, id);
    const unique = [...new Set(documentIds)];
    const found = await liveDocumentIdsOf(this.database.db, row.owner_id, unique);
    const missing = unique.filter((d) => !found.has(d));
    if (missing.length > 0)
      throw new DocketError(
        "not_found",
        missing.length === 1 ? `document ${missing[0]} not found` : `${missing.length} documents not found`,
        { details: { document_ids: missing } },
      );
    await writeTransaction(this.database, async (trx) => {
      if (await wouldExceedMembers(trx, row.id, unique, MAX_MEMBERS))
        throw new DocketError("validation_error", `a collection holds at most ${MAX_MEMBERS} documents`, {
          details: { fields: ["document_ids"] },
        });
      const now = Date.now();
      const added = await appendMembers(trx, row, unique, now);
      if (added > 0) await this.touch(trx, row.id, now);
    });
    return this.get(scope, id);
  }

  async removeDocument(scope: Scope, id: string, documentId: string): Promise<CollectionJson> {
    const row = await this.load(scope, id);
    await writeTransaction(this.database, async (trx) => {
      if (!(await removeMember(trx, row.id, documentId)))
        throw new DocketError("not_found", "document not in the collection");
      await this.touch(trx, row.id, Date.now());
    });
    return this.get(scope, id);
  }

  private touch(trx: Tx, id: string, now: number): Promise<void> {
    return touchCollection(trx, this.database.dialect, id, now);
  }

  private async memberStates(collectionId: string, now: number): Promise<MemberState[]> {
    const rows = await members(this.database.db, collectionId);
    const loaded = await loadJobs(
      this.database,
      rows.map((r) => r.latest_job_id).filter((j): j is string => j !== null),
    );
    return rows.map((r) => ({
      documentId: r.document_id,
      filename: r.filename,
      latestJobId: r.latest_job_id,
      status: statusOf(r.latest_job_id ? loaded.get(r.latest_job_id) : undefined, now),
    }));
  }

  /** The process stage: a job per document without an active or completed job; the others are listed with why (race-safe). */
  async process(scope: Scope, id: string, options: SubmitOptions): Promise<ProcessResult> {
    const row = await this.load(scope, id);
    const states = await this.memberStates(row.id, Date.now());
    const skipped: ProcessResult["skipped"] = [];
    const submit: string[] = [];
    for (const m of states) {
      const s = m.status.status;
      if (s === "queued" || s === "processing")
        skipped.push({
          document_id: m.documentId,
          reason: "job_active",
          job_id: m.latestJobId,
          message: `job ${m.latestJobId} is ${s}`,
        });
      else if (s === "completed")
        skipped.push({ document_id: m.documentId, reason: "completed", job_id: m.latestJobId, message: "completed" });
      else if (s === "manual_review")
        skipped.push({
          document_id: m.documentId,
          reason: "manual_review",
          job_id: m.latestJobId,
          message: "completed; waiting for review",
        });
      else submit.push(m.documentId);
    }
    if (submit.length === 0) return { batch_id: null, jobs: [], skipped };
    // The jobs belong to the documents' owner, who is the collection's owner.
    const owner: Scope = { userId: row.owner_id, admin: false };
    // A document that got an active job since it was read is skipped by the insert itself
    // (one active job per document is the database's rule), never a failure of the request.
    const submitted = await this.jobs.submitCollectionBatch(owner, submit, options);
    const order = new Map(states.map((m, i) => [m.documentId, i]));
    skipped.push(...submitted.skipped);
    skipped.sort((a, b) => order.get(a.document_id)! - order.get(b.document_id)!);
    return { batch_id: submitted.batch_id, jobs: submitted.jobs, skipped };
  }

  async status(scope: Scope, id: string): Promise<CollectionStatus> {
    const row = await this.load(scope, id);
    const now = Date.now();
    const [states, jobRow, eventMax] = await Promise.all([
      this.memberStates(row.id, now),
      latestCollectionJob(this.database.db, row.id),
      maxEventId(this.database.db, row.id),
    ]);
    const stage = processStage(states);
    const gate = compileGate(states);
    let job: CollectionJobJson | null = null;
    let jobStatus: UnifiedStatus | null = null;
    if (jobRow) {
      const loaded = (await attachSteps(this.database, [jobRow])).get(jobRow.id)!;
      jobStatus = deriveStatus(loaded.job, loaded.steps, now);
      job = { ...jobToJson(loaded.job, loaded.steps, now), document_id: null, collection_id: row.id };
    }
    const version = Math.max(Number(row.version), eventMax, job?.version ?? 0);
    return {
      stages: [
        stage,
        {
          name: "compile",
          status: compileStageStatus(gate, jobStatus),
          locked: gate.locked,
          reason: gate.reason,
          blocking: gate.blocking,
          job,
        },
      ],
      progress: aggregateProgress(stage, states, jobStatus),
      version,
    };
  }

  /** Starts the compile stage: 409 stage_locked naming what blocks it, 409 job_active while a compile runs. */
  async compile(scope: Scope, id: string, outputs: readonly CompileOutput[] | undefined): Promise<string> {
    const row = await this.load(scope, id);
    const states = await this.memberStates(row.id, Date.now());
    const gate = compileGate(states);
    if (gate.locked)
      throw new DocketError("stage_locked", `the compile stage is locked: ${gate.reason ?? "not ready"}`, {
        details: { blocking: gate.blocking },
      });
    const active = await latestCollectionJob(this.database.db, row.id);
    if (active && (active.status === "pending" || active.status === "processing"))
      throw new DocketError("job_active", `the collection's compile job ${active.id} is ${active.status}`, {
        details: { job_id: active.id },
      });
    if (!this.enqueuer)
      throw new DocketError("transient_error", "the compile stage is not available on this server yet", {
        status: 503,
      });
    const chosen =
      outputs && outputs.length > 0 ? COMPILE_OUTPUTS.filter((o) => outputs.includes(o)) : [...COMPILE_OUTPUTS];
    return this.enqueuer.enqueueCompile({
      collectionId: row.id,
      ownerId: row.owner_id,
      outputs: chosen,
      memberIds: states.map((s) => s.documentId),
    });
  }

  /** One output of the latest compile job; 409 not_ready until that job has completed. */
  async resultFile(
    scope: Scope,
    id: string,
    format: CompileOutput,
  ): Promise<{ stream: Readable; mimeType: string; size: number; fileName: string }> {
    const row = await this.load(scope, id);
    const job = await latestCollectionJob(this.database.db, row.id);
    if (!job || job.status !== "completed")
      throw new DocketError(
        "not_ready",
        job
          ? `the compile job is ${job.status}; its outputs exist once it has completed`
          : "the collection is not compiled",
      );
    const artifact = await artifactOfJob(this.database.db, job.id, format);
    if (!artifact) throw new DocketError("not_found", `the compile job did not build ${format}`);
    return {
      stream: await this.blobStore.get(artifact.blob_key),
      mimeType: COMPILE_MIME[format],
      size: Number(artifact.size_bytes),
      fileName: compileFileName(row.name, format),
    };
  }

  /**
   * GET /api/v1/fields.csv?collection_id=: the members with extracted fields, in collection
   * order (optionally only those whose unified status is `status`), streamed.
   */
  async fieldsCsv(scope: Scope, id: string, status: DocumentStatus | undefined): Promise<Readable> {
    const row = await this.load(scope, id);
    const states = await this.memberStates(row.id, Date.now());
    const ids = states.filter((m) => status === undefined || m.status.status === status).map((m) => m.documentId);
    const out = new PassThrough();
    writeFieldsCsv(compileMembers(this.database, this.thresholds, ids), out, {
      bom: false,
      onlyWithFields: true,
    }).catch((error: unknown) => out.destroy(error as Error));
    return out;
  }
}
