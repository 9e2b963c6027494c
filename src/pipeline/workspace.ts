import type { BlobStore } from "../blob/blob-store.js";
import { DocketError } from "../errors.js";

/** JSON files in a job's workspace: how steps hand their outputs to later steps. */
export async function writeJson(blobStore: BlobStore, key: string, value: unknown): Promise<void> {
  await blobStore.put(key, Buffer.from(JSON.stringify(value)));
}

export async function readJson<T>(blobStore: BlobStore, key: string): Promise<T> {
  if (!(await blobStore.exists(key))) {
    // A retry after the workspace was removed (or a step run out of order): the earlier
    // step must run again; this is an engine bug if it ever shows.
    throw new DocketError("internal_error", `missing step output ${key}`, { permanent: true });
  }
  return JSON.parse((await blobStore.getBuffer(key)).toString("utf8")) as T;
}

export const pageKey = (prefix: string, page: number, ext: string) => `${prefix}page-${String(page).padStart(4, "0")}.${ext}`;

/** An image region's file next to its page's: page-0001-image-01.png. */
export const regionKey = (prefix: string, page: number, index: number, ext: string) =>
  `${prefix}page-${String(page).padStart(4, "0")}-image-${String(index).padStart(2, "0")}.${ext}`;
