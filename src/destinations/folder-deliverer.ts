import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { DocketError } from "../errors.js";
import type { Deliverer, DelivererOptions, DeliveryRequest } from "./deliverer.js";
import { authFailed, rejected, unreachable } from "./delivery-errors.js";
import type { DestinationConfig } from "./destination-types.js";
import { checkFolderPath, checkRealFolder } from "./folder-paths.js";

/** File system errors as delivery outcomes. */
function fsError(error: unknown, path: string): DocketError {
  if (error instanceof DocketError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return authFailed(`cannot write in ${path}: permission denied (${code})`);
    case "EROFS":
      return rejected(`cannot write in ${path}: the file system is read-only (EROFS)`);
    case "ENOSPC":
    case "EDQUOT":
      // Space may be freed: worth retrying with back-off.
      return rejected(`cannot write in ${path}: no space left on the device (${code})`, { permanent: false });
    case "ENOTDIR":
    case "EEXIST":
      return rejected(`cannot write in ${path}: part of the path is not a folder (${code})`);
    default:
      return unreachable(`cannot write in ${path}: ${code ?? (error as Error).message}`, error);
  }
}

/**
 * Writes each output into a folder on this machine (a NAS mount, a synced folder). Every
 * file is written to a temporary name in the same folder, flushed to disk, then renamed
 * over its final name: a reader sees the old file or the new one, never half of one. The
 * temporary name is fixed per job, so a retry after a crash overwrites its leftovers.
 */
export function folderDeliverer(config: DestinationConfig["folder"], options: DelivererOptions): Deliverer {
  const folder = () => checkFolderPath(config.path, options.folderRoots);
  return {
    async deliver({ job, signal }: DeliveryRequest) {
      const dir = folder();
      try {
        await checkRealFolder(dir, options.folderRoots);
        await mkdir(dir, { recursive: true });
        await checkRealFolder(dir, options.folderRoots);
        for (const file of job.files) {
          signal.throwIfAborted();
          const final = join(dir, file.name);
          const temp = join(dir, `.${file.name}.${job.jobId}.docket-tmp`);
          try {
            await writeDurably(temp, await file.read());
            await rename(temp, final);
          } catch (error) {
            await rm(temp, { force: true });
            throw error;
          }
        }
      } catch (error) {
        if ((error as Error).name === "AbortError") throw error;
        throw fsError(error, dir);
      }
      return { location: dir };
    },
    async test() {
      const dir = folder();
      const probe = join(dir, `.docket-test-${randomUUID()}`);
      try {
        await checkRealFolder(dir, options.folderRoots);
        await mkdir(dir, { recursive: true });
        await checkRealFolder(dir, options.folderRoots);
        await writeDurably(probe, Buffer.from("docket"));
      } catch (error) {
        throw fsError(error, dir);
      } finally {
        await rm(probe, { force: true });
      }
      return `${dir} is writable`;
    },
  };
}

async function writeDurably(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, "w", 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
