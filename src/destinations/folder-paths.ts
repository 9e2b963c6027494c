import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, normalize, sep } from "node:path";
import { DocketError } from "../errors.js";

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Checks a folder destination's path as written: absolute, already normal (no `..`, `.`,
 * doubled slashes or NUL: a path that needs normalising is a trick, not a typo worth
 * fixing), and inside one of DOCKET_FOLDER_ROOTS. A 400 at create time.
 */
export function checkFolderPath(path: string, roots: readonly string[]): string {
  const fail = (why: string) =>
    new DocketError("validation_error", `config.path ${why}`, { details: { fields: ["config.path"] } });
  if (roots.length === 0) throw fail("cannot be used: no DOCKET_FOLDER_ROOTS are configured on this server");
  if (path.includes("\0") || !isAbsolute(path)) throw fail("must be an absolute path");
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  if (normalize(trimmed) !== trimmed || trimmed.split("/").includes(".."))
    throw fail("must not contain '..', '.' or empty segments");
  const root = roots.map((r) => normalize(r).replace(/\/+$/, "") || "/").find((r) => inside(trimmed, r));
  if (!root) throw fail(`must be inside one of the allowed folder roots (${roots.join(", ")})`);
  return trimmed;
}

/**
 * The same check on the real file system, just before writing: a symbolic link inside a
 * root that points outside it is refused (it may have been created after the check above).
 */
export async function checkRealFolder(path: string, roots: readonly string[]): Promise<void> {
  // The nearest part that exists: checked BEFORE any folder is made, so `mkdir -p` never
  // follows a link out of the root.
  let existing = path;
  let real: string | null = null;
  for (;;) {
    real = await realpath(existing).catch(() => null);
    if (real !== null || dirname(existing) === existing) break;
    existing = dirname(existing);
  }
  if (real === null) real = "/";
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => null)));
  if (!realRoots.some((r) => r !== null && inside(real, r)))
    throw new DocketError(
      "destination_rejected",
      `the folder ${path} leads outside the allowed roots (a symbolic link?)`,
      { status: 502, permanent: true },
    );
}
