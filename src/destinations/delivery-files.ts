import { basename, extname } from "node:path";
import type { BlobStore } from "../blob/blob-store.js";
import type { Database } from "../db/database.js";
import { DocketError } from "../errors.js";
import type { ReviewThresholds } from "../extraction/types.js";
import { findVisibleExtraction } from "../fields/fields-repository.js";
import { fieldsToJson } from "../fields/fields-view.js";
import { artifactsOfJobs, jobWithFilename } from "../jobs/job-reads.js";

/** One file a delivery sends: `<file name stem>.<ext>` (API.md). */
export interface DeliveryFile {
  /** e.g. `invoice-7.pdf`, `invoice-7.fields.json`. */
  name: string;
  /** The output format (`txt`, `md`, `json`, `hocr`, `pdf`) or `fields`. */
  format: string;
  mimeType: string;
  size: number;
  /** The API path that serves it (for webhooks that send links). */
  path: string;
  read(): Promise<Buffer>;
}

export interface DeliveryJob {
  jobId: string;
  documentId: string;
  filename: string;
  files: DeliveryFile[];
}

const EXTENSIONS: Record<string, string> = { txt: "txt", md: "md", json: "json", hocr: "hocr", pdf: "pdf" };

/**
 * A name stem safe on every destination: the original's name without its extension, with
 * path separators, control characters and leading dots replaced (a file named `../x.pdf`
 * delivers as `x.txt`, never outside the destination).
 */
export function fileStem(filename: string): string {
  const base = basename(filename.replace(/\\/g, "/"));
  const stem = base.slice(0, base.length - extname(base).length) || base;
  const clean = stem
    .replace(/[\p{Cc}/\\:*?"<>|]/gu, "_")
    .replace(/^[.\s]+/, "")
    .trim()
    .slice(0, 150);
  return clean || "document";
}

/** The outputs of a finished export (and its fields), read lazily from the blob store. */
export async function loadDeliveryJob(
  deps: { database: Database; blobStore: BlobStore; thresholds: ReviewThresholds },
  jobId: string,
): Promise<DeliveryJob> {
  const { db } = deps.database;
  const job = await jobWithFilename(db, jobId);
  if (!job || job.document_id === null)
    throw new DocketError("internal_error", `job ${jobId} has no document to deliver`, { permanent: true });
  const documentId = job.document_id;
  const artifacts = await artifactsOfJobs(db, [jobId]);
  const stem = fileStem(job.filename);
  const files: DeliveryFile[] = artifacts
    .filter((a) => EXTENSIONS[a.kind])
    .map((a) => ({
      name: `${stem}.${EXTENSIONS[a.kind]}`,
      format: a.kind,
      mimeType: a.mime_type,
      size: Number(a.size_bytes),
      path: `/api/v1/ocr/jobs/${jobId}/result/${a.kind}`,
      read: () => deps.blobStore.getBuffer(a.blob_key),
    }));
  const fields = await findVisibleExtraction(db, jobId);
  if (fields) {
    const body = Buffer.from(JSON.stringify(fieldsToJson(fields, Number(job.version), deps.thresholds), null, 2));
    files.push({
      name: `${stem}.fields.json`,
      format: "fields",
      mimeType: "application/json",
      size: body.length,
      path: `/api/v1/documents/${documentId}/fields`,
      read: async () => body,
    });
  }
  return { jobId, documentId, filename: job.filename, files };
}
