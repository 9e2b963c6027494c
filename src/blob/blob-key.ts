import { DocketError } from "../errors.js";

/**
 * Blob keys are relative, '/'-separated paths chosen by Docket itself (content hashes, job
 * ids, step names) — never user input. Validation is still strict because a key becomes a
 * file path in the local store and an object name in S3: one bad key must not be able to
 * escape the store's root or alias another key.
 */

/** The first key segment the local store reserves for its temporary files. */
export const RESERVED_TEMP_SEGMENT = ".tmp";

const MAX_KEY_LENGTH = 1024;
// C0 controls, DEL and C1 controls: invisible in logs, meaningless in object names.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

function invalid(key: string, why: string): DocketError {
  return new DocketError("validation_error", `invalid blob key ${JSON.stringify(key)}: ${why}`, {
    permanent: true,
    details: { key, reason: why },
  });
}

function checkCommon(key: string, kind: "key" | "prefix"): void {
  if (key.length > MAX_KEY_LENGTH) throw invalid(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (CONTROL_CHARS.test(key)) throw invalid(key, "contains NUL or control characters");
  if (key.includes("\\")) throw invalid(key, "contains a backslash");
  if (key.startsWith("/")) throw invalid(key, "is absolute");
  // "C:" at the start would be a drive path on Windows; refuse it everywhere for symmetry.
  if (/^[A-Za-z]:/.test(key)) throw invalid(key, "looks like a drive path");
  const segments = key.split("/");
  // A prefix may end in '/', leaving one empty last segment; a key may not.
  const inner = kind === "prefix" && key.endsWith("/") ? segments.slice(0, -1) : segments;
  for (const segment of inner) {
    if (segment === "") throw invalid(key, "has an empty path segment");
    if (segment === "." || segment === "..") throw invalid(key, "has a '.' or '..' segment");
  }
  if (segments[0] === RESERVED_TEMP_SEGMENT) throw invalid(key, `'${RESERVED_TEMP_SEGMENT}/' is reserved`);
}

/** Throws a `validation_error` DocketError unless `key` is a safe blob key. */
export function assertValidBlobKey(key: string): void {
  if (key === "") throw invalid(key, "is empty");
  checkCommon(key, "key");
}

/**
 * Prefixes for `list` may be empty (everything) or end anywhere; `deletePrefix` additionally
 * requires a non-empty folder-like prefix ending in '/' (see `assertDeletablePrefix`).
 */
export function assertValidBlobPrefix(prefix: string): void {
  if (prefix === "") return;
  checkCommon(prefix, "prefix");
}

/**
 * `deletePrefix("jobs/12")` would also remove "jobs/123/…"; and "" would remove everything.
 * Both are refused: only a non-empty prefix ending in '/' can be deleted.
 */
export function assertDeletablePrefix(prefix: string): void {
  if (prefix === "" || !prefix.endsWith("/")) {
    throw invalid(prefix, "deletePrefix needs a non-empty prefix ending in '/'");
  }
  checkCommon(prefix, "prefix");
}
