import type { BlobStore } from "../blob/blob-store.js";
import { DocketError } from "../errors.js";

/** JSON files in a job's workspace: how steps hand their outputs to later steps. */
export async function writeJson(blobStore: BlobStore, key: string, value: unknown): Promise<void> {
  await blobStore.put(key, Buffer.from(JSON.stringify(value)));
}

/**
 * Several outputs at once (their durable writes overlap). Every write ends before this
 * returns or throws, so a failed step's workspace can be removed without a write racing it.
 */
export async function writeJsonFiles(blobStore: BlobStore, files: Record<string, unknown>): Promise<void> {
  const results = await Promise.allSettled(
    Object.entries(files).map(([key, value]) => writeJson(blobStore, key, value)),
  );
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

export async function readJson<T>(blobStore: BlobStore, key: string): Promise<T> {
  const bytes = await blobStore.getBuffer(key).catch((error: unknown) => {
    // A retry after the workspace was removed (or a step run out of order): the earlier
    // step must run again; this is an engine bug if it ever shows.
    if (error instanceof DocketError && error.code === "not_found")
      throw new DocketError("internal_error", `missing step output ${key}`, { permanent: true, cause: error });
    throw error;
  });
  return JSON.parse(bytes.toString("utf8")) as T;
}

export const pageKey = (prefix: string, page: number, ext: string) =>
  `${prefix}page-${String(page).padStart(4, "0")}.${ext}`;

/** An image region's file next to its page's: page-0001-image-01.png. */
export const regionKey = (prefix: string, page: number, index: number, ext: string) =>
  `${prefix}page-${String(page).padStart(4, "0")}-image-${String(index).padStart(2, "0")}.${ext}`;
