import { PassThrough, type Writable } from "node:stream";
import type { BlobStore } from "../../blob/blob-store.js";

/**
 * Runs a builder that writes to a stream while the blob store reads from it, so an output
 * goes to storage as it is made, never whole in memory. A failing builder makes the put fail
 * (the store then keeps nothing: puts are atomic); a failing put stops the builder's writes.
 */
export async function buildIntoBlob<T>(
  blobStore: BlobStore,
  key: string,
  build: (out: Writable) => Promise<T>,
): Promise<{ result: T; size: number }> {
  const pass = new PassThrough({ highWaterMark: 1 << 20 });
  const stored = blobStore.put(key, pass);
  stored.catch((error: unknown) => pass.destroy(error as Error));
  let result: T;
  try {
    result = await build(pass);
  } catch (error) {
    pass.destroy(error as Error);
    // A builder may have ended its stream before failing (archiver ends its output on abort):
    // then the put completed with a partial file, which must not stay under the output's key.
    if (await stored.then(() => true).catch(() => false)) await blobStore.delete(key).catch(() => undefined);
    throw error;
  }
  const { size } = await stored;
  return { result, size };
}
