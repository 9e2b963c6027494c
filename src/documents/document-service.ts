import type { Readable } from "node:stream";
import type { BlobStore } from "../blob/blob-store.js";
import type { Database } from "../db/database.js";
import { writeTransaction } from "../db/transaction.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import type { DocumentStatus } from "../domain/types.js";
import { newId } from "../engine/ids.js";
import type { JobQueue } from "../engine/job-queue.js";
import { DocketError } from "../errors.js";
import { storeUpload, type StoredUpload } from "../intake/store-upload.js";
import {
  findLiveDocument,
  findLiveDocumentBySha,
  insertDocument,
  isBlobReferenced,
  listLiveDocuments,
  softDeleteDocument,
  type DocumentRow,
} from "./document-repository.js";
import type { Logger } from "../logger.js";
import { lockUploadKey } from "../blob/upload-lock.js";
import { displayFilename } from "../intake/safe-filename.js";
import {
  activeJobIds,
  eventToJson,
  jobToJson,
  loadDocumentEvents,
  loadDocumentStatusVersioned,
  loadJobs,
  statusOf,
  type EventJson,
  type JobJson,
  type LoadedJob,
} from "../jobs/job-view.js";
import type { UnifiedStatus } from "../domain/status.js";
import type { Scope } from "../domain/scope.js";

export type { DocumentRow } from "./document-repository.js";

export type { Scope } from "../domain/scope.js";

export interface DocumentJson {
  id: string;
  filename: string;
  safe_filename: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  num_pages: number | null;
  created_at: string;
  updated_at: string;
  latest_job_id: string | null;
  status: DocumentStatus;
}

export const DOCUMENT_SORTS = [
  "created_at",
  "-created_at",
  "filename",
  "-filename",
  "size_bytes",
  "-size_bytes",
] as const;
export type DocumentSort = (typeof DOCUMENT_SORTS)[number];

export interface ListDocumentsQuery {
  page: number;
  pageSize: number;
  status?: DocumentStatus | undefined;
  q?: string | undefined;
  sort: DocumentSort;
}

export function documentToJson(row: DocumentRow, status: UnifiedStatus): DocumentJson {
  return {
    id: row.id,
    // Names stored before display names were cleaned at intake are cleaned on the way out.
    filename: displayFilename(row.filename) ?? row.safe_filename,
    safe_filename: row.safe_filename,
    mime_type: row.mime_type,
    size_bytes: Number(row.size_bytes),
    sha256: row.sha256,
    num_pages: row.num_pages === null ? null : Number(row.num_pages),
    created_at: new Date(Number(row.created_at)).toISOString(),
    updated_at: new Date(Number(row.updated_at)).toISOString(),
    latest_job_id: row.latest_job_id,
    status: status.status,
  };
}

/** Documents: upload (streamed, content-addressed), reads scoped to their owner, soft delete. */
export class DocumentService {
  constructor(
    private readonly database: Database,
    private readonly blobStore: BlobStore,
    private readonly queue: JobQueue,
    private readonly log: Logger,
    private readonly maxUploadBytes: number,
  ) {}

  /** Streams the file into the blob store; an identical live document of the same owner is a duplicate. */
  async upload(
    ownerId: string,
    source: Readable,
    filename: string | null,
    signal?: AbortSignal,
  ): Promise<{ stored: StoredUpload }> {
    const stored = await storeUpload(source, {
      blobStore: this.blobStore,
      maxBytes: this.maxUploadBytes,
      filename,
      signal,
    });
    return { stored };
  }

  /** Records the stored upload as a document, or finds the live duplicate. */
  async record(ownerId: string, stored: StoredUpload): Promise<{ row: DocumentRow; duplicate: boolean }> {
    const find = () => findLiveDocumentBySha(this.database.db, ownerId, stored.sha256);
    const existing = await find();
    if (existing) return { row: existing, duplicate: true };
    const now = Date.now();
    const row: DocumentRow = {
      id: newId(),
      owner_id: ownerId,
      filename: stored.originalFilename ?? stored.safeFilename,
      safe_filename: stored.safeFilename,
      mime_type: stored.mimeType,
      size_bytes: stored.size,
      sha256: stored.sha256,
      num_pages: null,
      blob_key: stored.key,
      latest_job_id: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    try {
      await writeTransaction(this.database, async (trx) => {
        await lockUploadKey(this.database, trx, stored.key);
        // Bytes that were already stored may be an orphan the blob sweeper is removing: under
        // the key's lock it has either finished (the blob is gone: retry the upload) or will
        // see this row and keep them.
        if (stored.blobExisted && !(await this.blobStore.exists(stored.key)))
          throw new DocketError("transient_error", "the stored upload was removed meanwhile; upload the file again");
        await insertDocument(trx, row);
      });
      return { row, duplicate: false };
    } catch (error) {
      // Two identical uploads at once: the unique (owner, sha256) index lets one win.
      if (!isUniqueViolation(error)) throw error;
      const winner = await find();
      if (!winner) throw error;
      return { row: winner, duplicate: true };
    }
  }

  /** The live document, or not_found (also for another user's document). */
  async get(scope: Scope, id: string): Promise<DocumentRow> {
    const row = await findLiveDocument(this.database.db, scope, id);
    if (!row) throw new DocketError("not_found", "document not found");
    return row;
  }

  async latestJobs(rows: readonly DocumentRow[]): Promise<Map<string, LoadedJob>> {
    return loadJobs(
      this.database,
      rows.map((r) => r.latest_job_id).filter((id): id is string => id !== null),
    );
  }

  async toJson(rows: readonly DocumentRow[]): Promise<DocumentJson[]> {
    const jobs = await this.latestJobs(rows);
    const now = Date.now();
    return rows.map((r) => documentToJson(r, statusOf(r.latest_job_id ? jobs.get(r.latest_job_id) : undefined, now)));
  }

  /**
   * The document and its latest job from ONE read of that job, so the two can never
   * disagree (a worker claiming the job between two reads would otherwise show the
   * document "processing" beside a "queued" job).
   */
  async viewWithJob(scope: Scope, id: string): Promise<{ document: DocumentJson; job: JobJson | null }> {
    const row = await this.get(scope, id);
    const loaded = row.latest_job_id ? (await this.latestJobs([row])).get(row.latest_job_id) : undefined;
    const now = Date.now();
    return {
      document: documentToJson(row, statusOf(loaded, now)),
      job: loaded ? jobToJson(loaded.job, loaded.steps, now) : null,
    };
  }

  /**
   * Removes the blob of an upload that will not become a document (the request failed after
   * the bytes were stored). Kept when the bytes were already there before this upload or
   * any document row (live or deleted) points at them: content-addressed blobs are shared.
   */
  async discardUnrecorded(stored: StoredUpload): Promise<void> {
    if (stored.blobExisted) return;
    if (await isBlobReferenced(this.database.db, stored.key)) return;
    await this.blobStore
      .delete(stored.key)
      .catch((error: unknown) =>
        this.log.warn({ err: error, key: stored.key }, "could not remove an unrecorded upload"),
      );
  }

  async status(scope: Scope, id: string): Promise<UnifiedStatus> {
    const read = await loadDocumentStatusVersioned(this.database, scope, id);
    if (read === undefined) throw new DocketError("not_found", "document not found");
    return statusOf(read.loaded ?? undefined, Date.now(), read.versionFloor);
  }

  async list(scope: Scope, query: ListDocumentsQuery): Promise<{ items: DocumentJson[]; total: number }> {
    const { rows, total } = await listLiveDocuments(this.database.db, scope, query);
    return { items: await this.toJson(rows), total };
  }

  async history(scope: Scope, id: string): Promise<EventJson[]> {
    const row = await this.get(scope, id);
    return (await loadDocumentEvents(this.database, row.id)).map(eventToJson);
  }

  async file(scope: Scope, id: string): Promise<{ row: DocumentRow; stream: Readable }> {
    const row = await this.get(scope, id);
    return { row, stream: await this.blobStore.get(row.blob_key) };
  }

  /** Soft delete; active jobs of the document are cancelled. The blob stays (content-addressed, maybe shared). */
  async delete(scope: Scope, id: string): Promise<void> {
    const row = await this.get(scope, id);
    const now = Date.now();
    await writeTransaction(this.database, (trx) => softDeleteDocument(trx, row.id, now));
    const active = await activeJobIds(this.database, row.id);
    for (const jobId of active) {
      try {
        await this.queue.cancel(jobId);
      } catch (error) {
        // It finished in the meantime: nothing left to cancel.
        if (!(error instanceof DocketError && error.code === "not_cancellable")) throw error;
      }
    }
    this.log.info({ documentId: row.id, cancelled: active.length }, "document deleted");
  }
}
