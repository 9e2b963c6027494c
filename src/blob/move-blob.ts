import type { BlobStore } from "./blob-store.js";
import type { MovableBlobStore } from "./local-blob-store.js";

function isMovable(store: BlobStore): store is MovableBlobStore {
  return typeof (store as Partial<MovableBlobStore>).move === "function";
}

/**
 * Move a blob to a new key. Stores that can rename (local files) do it atomically in place;
 * any other store gets copy-then-delete, which is still safe because `put` is atomic: the
 * destination is either absent or complete. Kept outside the BlobStore interface so that the
 * interface stays minimal for future backends (S3 would implement `move` as CopyObject).
 */
export async function moveBlob(store: BlobStore, fromKey: string, toKey: string): Promise<void> {
  if (fromKey === toKey) return;
  if (isMovable(store)) {
    await store.move(fromKey, toKey);
    return;
  }
  await store.put(toKey, await store.get(fromKey));
  await store.delete(fromKey);
}
