import type { BlobStore } from "../../blob/blob-store.js";
import type { Database } from "../../db/database.js";
import { documentFile } from "../../documents/document-repository.js";
import { DocketError } from "../../errors.js";
import type { StepHandler } from "../../engine/pipeline.js";
import type { SupportedMimeType } from "../../intake/sniff-type.js";
import { inspectDocument } from "../../pdf/inspect-document.js";
import type { ValidateOutput } from "../plan.js";
import { writeJson } from "../workspace.js";

export interface ValidateLimits {
  maxPages: number;
  maxImagePixels: number;
}

/**
 * Opens the file and checks it can be processed: page count, encryption, corruption, page
 * limit and decompression bombs (pixel limit from the header, before any decoding). Every
 * refusal is a permanent error with the API's code.
 */
export function validateStep(deps: { database: Database; blobStore: BlobStore; limits: ValidateLimits }): StepHandler {
  return async (ctx) => {
    const document = await documentFile(deps.database.db, ctx.documentId);
    if (!document || document.deleted_at !== null)
      throw new DocketError("not_found", "the document was deleted", { permanent: true });
    ctx.progress(0, 1, "inspecting the file");
    const inspection = await inspectDocument(
      { blobStore: deps.blobStore, key: document.blob_key },
      document.mime_type as SupportedMimeType,
      {
        maxPages: deps.limits.maxPages,
        maxImagePixels: deps.limits.maxImagePixels,
        signal: ctx.signal,
      },
    );
    const output: ValidateOutput = {
      kind: inspection.kind,
      mimeType: document.mime_type,
      numPages: inspection.numPages,
      blobKey: document.blob_key,
      filename: document.filename,
      pages: inspection.pages.map((p) => ({ number: p.number, width: p.width, height: p.height, unit: p.unit })),
    };
    await writeJson(deps.blobStore, `${ctx.workspace}validate.json`, output);
    ctx.progress(1, 1);
    return {
      numPages: inspection.numPages,
      message: `${inspection.numPages} page${inspection.numPages === 1 ? "" : "s"} (${inspection.kind})`,
      detail: { kind: inspection.kind, num_pages: inspection.numPages, encrypted: inspection.encrypted },
    };
  };
}
