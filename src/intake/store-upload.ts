import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "../blob/blob-store.js";
import { moveBlob } from "../blob/move-blob.js";
import { isStorageFull, storageFull } from "../blob/storage-full.js";
import { DocketError, isAbortError } from "../errors.js";
import { malformedMultipart } from "./multipart-errors.js";
import { displayFilename, safeFilename } from "./safe-filename.js";
import type { SupportedMimeType } from "./sniff-type.js";
import { UploadMeter } from "./upload-meter.js";

/** Where uploads land while they stream in, before their hash (and so their key) is known. */
export const UPLOAD_TEMP_PREFIX = "uploads/tmp/";

export interface StoreUploadOptions {
  blobStore: BlobStore;
  /** Refuse (file_too_large) as soon as more bytes than this arrive. */
  maxBytes: number;
  /** The client's file name: metadata only, never used as a path. */
  filename?: string | null | undefined;
  /** Aborts the upload (the temp blob is removed); the promise rejects with the abort reason. */
  signal?: AbortSignal | undefined;
}

export interface StoredUpload {
  /** Content-addressed key: `uploads/<aa>/<bb>/<sha256>`. */
  key: string;
  sha256: string;
  size: number;
  /** Sniffed from the content; the name's extension and the client's Content-Type are ignored. */
  mimeType: SupportedMimeType;
  /** The client's name for display (controls and bidi characters removed, see displayFilename), or null. */
  originalFilename: string | null;
  /** A display/download-safe name whose extension agrees with the content. */
  safeFilename: string;
  /** True when a blob with this content already existed (the new copy was discarded). */
  blobExisted: boolean;
}

/** The content-addressed key of an upload with this SHA-256 (hex). Fans out by two bytes to keep folders small. */
export function uploadKeyFor(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256 hex digest: ${sha256}`);
  return `uploads/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/**
 * Stream an upload into the blob store, hashing and sniffing it on the way, never holding the
 * whole file in memory.
 *
 * The bytes go to a temp key first (we cannot know the content address before the last
 * byte), then move to `uploadKeyFor(sha256)`; if that key already exists the content is
 * identical by construction and the temp copy is dropped. Two concurrent uploads of the same
 * bytes may both move: the rename is atomic and the bytes equal, so either wins harmlessly.
 *
 * Errors (all DocketError, the temp blob always removed, the input stream destroyed):
 * - `file_too_large` as soon as more than `maxBytes` arrive;
 * - `unsupported_type` when the first bytes are none of PDF, PNG, JPEG, TIFF, GIF, BMP, WebP;
 * - zero bytes: `no_file` when there was also no file name (what a browser sends for a file
 *   field left empty), otherwise `empty_file` (a real but empty file: a clearer message than
 *   "no file" for the person who picked it);
 * - an abort via `signal` rejects with the signal's reason.
 */
export async function storeUpload(source: Readable, options: StoreUploadOptions): Promise<StoredUpload> {
  const { blobStore, maxBytes, signal } = options;
  if (!(maxBytes > 0)) throw new Error(`maxBytes must be positive, got ${maxBytes}`);
  // Stored and shown without control or bidi characters (a file name is display metadata).
  const originalFilename = displayFilename(options.filename);
  const tempKey = `${UPLOAD_TEMP_PREFIX}${randomUUID()}`;
  const meter = new UploadMeter(maxBytes);

  try {
    // Both sides run together: `pipeline` feeds the meter (and carries source errors and the
    // abort signal into it), `put` drains the meter into the store. Either failing fails both.
    const feeding = pipeline(source, meter, signal ? { signal } : {});
    const writing = blobStore.put(tempKey, meter);
    const [fed, written] = await Promise.allSettled([feeding, writing]);
    if (fed.status === "rejected") throw fed.reason;
    if (written.status === "rejected") throw written.reason;

    if (meter.size === 0) {
      throw originalFilename === null || originalFilename.trim() === ""
        ? new DocketError("no_file", "no file was uploaded")
        : new DocketError("empty_file", "the uploaded file is empty (0 bytes)");
    }
    const sha256 = meter.sha256;
    const mimeType = meter.mimeType;
    if (sha256 === undefined || mimeType === undefined || mimeType === null) {
      throw new Error("upload meter finished without a hash or type"); // cannot happen: guards the types
    }

    const key = uploadKeyFor(sha256);
    const blobExisted = await blobStore.exists(key);
    if (blobExisted) await blobStore.delete(tempKey);
    else await moveBlob(blobStore, tempKey, key);

    return {
      key,
      sha256,
      size: meter.size,
      mimeType,
      originalFilename,
      safeFilename: safeFilename(originalFilename, { mimeType }),
      blobExisted,
    };
  } catch (error) {
    source.destroy();
    meter.destroy();
    await blobStore.delete(tempKey).catch(() => undefined);
    throw normalizeUploadError(error, signal);
  }
}

/** Keep DocketErrors and aborts as they are; anything else is a storage failure (transient). */
function normalizeUploadError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof DocketError) return error;
  if (signal?.aborted && isAbortError(error)) return signal.reason ?? error;
  if (isAbortError(error)) return error;
  const malformed = malformedMultipart(error);
  if (malformed) return malformed;
  if (isStorageFull(error)) return storageFull(error);
  return new DocketError(
    "transient_error",
    `storing the upload failed: ${String((error as Error)?.message ?? error)}`,
    {
      cause: error,
      permanent: false,
    },
  );
}
