import { randomUUID } from "node:crypto";
import { open, statfs, unlink } from "node:fs/promises";
import { join } from "node:path";

/**
 * /readyz's check of the data directory: free space above `minFreeBytes` and a file can
 * actually be written, synced and removed there. A full disk fails uploads, sessions and
 * job steps; a read-only remount (the kernel does that after I/O errors) fails them too.
 * Either takes the instance out of the load balancer before users see the failures.
 */
export function diskReadiness(dataDir: string, minFreeBytes: number): () => Promise<void> {
  return async () => {
    const stats = await statfs(dataDir);
    const free = Number(stats.bavail) * Number(stats.bsize);
    if (free < minFreeBytes) {
      throw new Error(
        `${Math.floor(free / 1024 / 1024)} MiB free in ${dataDir}; at least ${Math.floor(minFreeBytes / 1024 / 1024)} MiB needed (DOCKET_MIN_FREE_DISK_MB)`,
      );
    }
    const probe = join(dataDir, `.readyz-${randomUUID()}`);
    try {
      const handle = await open(probe, "w");
      try {
        await handle.writeFile("ready\n");
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new Error(`${dataDir} is not writable: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await unlink(probe).catch(() => undefined);
    }
  };
}
