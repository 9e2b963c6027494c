import { Readable } from "node:stream";
import type { Database } from "../db/database.js";
import { DocketError } from "../errors.js";
import type { DocumentType, ReviewThresholds } from "../extraction/types.js";
import type { DocumentStatus } from "../domain/types.js";
import type { DocumentJson, DocumentService, Scope } from "../documents/document-service.js";
import { processedDocumentsPage, reviewQueuePage } from "../documents/document-repository.js";
import { jobStatus, jobVersion } from "../jobs/job-reads.js";
import { csvHeader, csvRow } from "./fields-csv.js";
import { findVisibleExtraction, findVisibleExtractions } from "./fields-repository.js";
import type { FieldsJson } from "./fields-types.js";
import { fieldsToJson } from "./fields-view.js";

/** A document in the review queue, with why and since when it waits. */
export type ReviewQueueItem = DocumentJson & {
  review_reason: string;
  waiting_since: string;
  document_type: DocumentType | null;
};

/** Reading fields: one document's, a job's (for its result), the review queue and the CSV export. */
export class FieldsService {
  constructor(
    private readonly database: Database,
    private readonly documents: DocumentService,
    private readonly thresholds: ReviewThresholds,
  ) {}

  /** The document's fields: its latest job's extraction; 409 not_ready while there is none. */
  async get(scope: Scope, documentId: string): Promise<FieldsJson> {
    const document = await this.documents.get(scope, documentId);
    if (!document.latest_job_id)
      throw new DocketError("not_ready", "the document has not been processed; there are no fields yet");
    const fields = await this.forJob(document.latest_job_id);
    if (!fields) {
      const status = await jobStatus(this.database.db, document.latest_job_id);
      throw new DocketError(
        "not_ready",
        status === "completed"
          ? "this document's job did not extract fields (extract: off)"
          : `fields are not extracted yet (the job is ${status ?? "gone"})`,
      );
    }
    return fields;
  }

  /** A job's fields (the caller has already checked the job is theirs), or null. */
  async forJob(jobId: string): Promise<FieldsJson | null> {
    const [row, version] = await Promise.all([
      findVisibleExtraction(this.database.db, jobId),
      jobVersion(this.database.db, jobId),
    ]);
    return row && version !== undefined ? fieldsToJson(row, version, this.thresholds) : null;
  }

  /** Documents waiting for a person, the longest-waiting first. */
  async reviewQueue(
    scope: Scope,
    page: number,
    pageSize: number,
  ): Promise<{ items: ReviewQueueItem[]; total: number }> {
    const { rows, total } = await reviewQueuePage(this.database.db, scope, page, pageSize);
    const documents = await this.documents.toJson(rows);
    const types = await findVisibleExtractions(
      this.database.db,
      rows.map((r) => r.latest_job_id!),
    );
    const items = documents.map((d, i) => {
      const row = rows[i]!;
      return {
        ...d,
        review_reason: row.queue_reason ?? "",
        waiting_since: new Date(Number(row.queue_since ?? row.created_at)).toISOString(),
        document_type: (types.get(row.latest_job_id!)?.document_type as DocumentType | undefined) ?? null,
      };
    });
    return { items, total };
  }

  /**
   * The fields table as CSV, one row per document with extracted fields, streamed a page of
   * documents at a time so a large account never sits in memory.
   */
  csv(scope: Scope, filter: { status?: DocumentStatus | undefined }): Readable {
    const pageSize = 500;
    const database = this.database;
    const thresholds = this.thresholds;
    async function* lines(): AsyncGenerator<string> {
      yield csvHeader();
      let after = "";
      for (;;) {
        const docs = await processedDocumentsPage(database.db, scope, { status: filter.status, after, pageSize });
        if (docs.length === 0) return;
        const extractions = await findVisibleExtractions(
          database.db,
          docs.map((d) => d.latest_job_id!),
        );
        for (const doc of docs) {
          const row = extractions.get(doc.latest_job_id!);
          if (row) yield csvRow(doc.filename, fieldsToJson(row, Number(doc.version), thresholds));
        }
        after = docs.at(-1)!.id;
      }
    }
    return Readable.from(lines(), { objectMode: false });
  }
}
