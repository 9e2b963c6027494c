/**
 * Ingest: a file becomes a document and, when asked, a job. The one use case behind the upload
 * route and the CLI's `docket add` in local mode, so both treat a refused option, a duplicate
 * and a failed request the same way. It runs in two halves because the route checks its
 * idempotency key between them: `store` streams the bytes in, `record` makes the document.
 */
import type { Readable } from "node:stream";
import type { Scope } from "../domain/scope.js";
import type { StoredUpload } from "../intake/store-upload.js";
import type { JobJson } from "../jobs/job-view.js";
import type { JobService } from "../jobs/job-service.js";
import type { SubmitOptions } from "../jobs/options.js";
import type { DocumentJson, DocumentService } from "./document-service.js";

/** Whether to process the file, and with which submit options. */
export interface IngestRequest {
  process: boolean;
  options: SubmitOptions;
}

/** The document (new or the live duplicate) and its latest job when one was asked for or exists. */
export interface IngestResult {
  document: DocumentJson;
  duplicate: boolean;
  job: JobJson | null;
}

export class IngestService {
  constructor(
    private readonly documents: DocumentService,
    private readonly jobs: JobService,
  ) {}

  /** Refuses options submit would refuse, before a byte is stored. */
  check(request: IngestRequest): void {
    if (request.process) this.jobs.checkSubmitOptions(request.options);
  }

  /** Streams the file into the blob store (content-addressed); not yet a document. */
  async store(ownerId: string, source: Readable, filename: string | null, signal?: AbortSignal): Promise<StoredUpload> {
    return (await this.documents.upload(ownerId, source, filename, signal)).stored;
  }

  /** For a request that failed after `store`: removes the bytes unless something else holds them. */
  discard(stored: StoredUpload): Promise<void> {
    return this.documents.discardUnrecorded(stored);
  }

  /**
   * Records the stored file as a document of the caller, or finds the live duplicate. A file
   * asked to be processed keeps a job that runs or ran with the same options, else gets a new
   * one (JobService.processUpload); a new document too, since a duplicate upload racing this
   * one may already have given it a job.
   */
  async record(scope: Scope, stored: StoredUpload, request: IngestRequest): Promise<IngestResult> {
    const { row, duplicate } = await this.documents.record(scope.userId, stored);
    if (request.process) await this.jobs.processUpload(scope, row.id, request.options);
    const view = await this.documents.viewWithJob(scope, row.id);
    return { document: view.document, duplicate, job: duplicate || request.process ? view.job : null };
  }

  /** Both halves, for a caller with the whole file at hand (the CLI). */
  async ingest(scope: Scope, source: Readable, filename: string | null, request: IngestRequest): Promise<IngestResult> {
    this.check(request);
    const stored = await this.store(scope.userId, source, filename);
    return this.record(scope, stored, request);
  }
}
