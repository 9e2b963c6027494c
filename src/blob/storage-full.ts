import { DocketError } from "../errors.js";

/**
 * Recognises "the disk is full" from any layer: Node's ENOSPC (and EDQUOT, a quota that is
 * the disk as far as this process is concerned), SQLite's SQLITE_FULL, PostgreSQL's
 * disk_full (53100). Such a failure is nobody's input error and nothing is broken in the
 * code: it is answered 503 `storage_full` (retry later), never a 500.
 */
export function isStorageFull(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL" || code === "53100") return true;
    const message = e instanceof Error ? e.message : "";
    if (/database or disk is full|no space left on device/i.test(message)) return true;
  }
  return false;
}

export function storageFull(error: unknown): DocketError {
  return new DocketError("storage_full", "the server is out of disk space; try again later", {
    cause: error,
    permanent: false,
  });
}
