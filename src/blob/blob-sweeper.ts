import type { Database } from "../db/database.js";
import { isBlobReferenced, referencedBlobKeys } from "../documents/document-repository.js";
import { writeTransaction } from "../db/transaction.js";
import { JOB_WORKSPACES_PREFIX, jobIdOfWorkspaceKey } from "../engine/workspace-path.js";
import { existingJobIds } from "../jobs/job-reads.js";
import type { Logger } from "../logger.js";
import type { BlobEntry, BlobStore } from "./blob-store.js";
import { lockUploadKey } from "./upload-lock.js";

/** Uploads land here while they stream (see intake/store-upload.ts). */
const TEMP_PREFIX = "uploads/tmp/";
const UPLOAD_KEY = /^uploads\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/;
const CHUNK = 500;

export interface SweepReport {
  /** Partial uploads left by a process that died while a file streamed in. */
  tempUploads: number;
  /** Complete uploads no document points at (a crash between storing and recording them). */
  unrecordedUploads: number;
  /** Blobs in the workspaces (engine/workspace-path.ts) of jobs that no longer exist (a crash between deleting the rows and the blobs). */
  orphanJobBlobs: number;
}

export interface BlobSweeperOptions {
  database: Database;
  blobStore: BlobStore;
  log: Logger;
  /**
   * Blobs written more recently are never touched: they may belong to an upload streaming in
   * or about to be recorded. Default one hour (far longer than any upload takes).
   */
  olderThanMs?: number;
  clock?: () => number;
}

/**
 * Removes blobs that nothing in the database points at and nothing will: the orphans a crash
 * leaves between writing a blob and recording it (or between deleting rows and their blobs).
 * Safe to run on every node at once and while the system is busy: young blobs are left alone,
 * and each upload blob is removed under the same lock (see upload-lock.ts) that recording a
 * document takes, after re-checking that no document points at it.
 */
export class BlobSweeper {
  private readonly olderThanMs: number;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepReport> | null = null;

  constructor(private readonly o: BlobSweeperOptions) {
    this.olderThanMs = o.olderThanMs ?? 3_600_000;
    this.clock = o.clock ?? Date.now;
  }

  /** Sweeps now and then every `intervalMs`; failures are logged, never thrown. */
  start(intervalMs: number): void {
    const run = () => void this.sweep().catch((error: unknown) => this.o.log.warn({ err: error }, "blob sweep failed"));
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass; concurrent calls share it. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.sweepOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepReport> {
    const list = this.o.blobStore.listEntries?.bind(this.o.blobStore);
    if (!list) throw new Error("this blob store cannot list blobs with their age; nothing swept");
    const cutoff = this.clock() - this.olderThanMs;
    const old = (entries: BlobEntry[]) => entries.filter((e) => e.modifiedAt <= cutoff).map((e) => e.key);
    const uploads = old(await list("uploads/"));
    const report: SweepReport = { tempUploads: 0, unrecordedUploads: 0, orphanJobBlobs: 0 };

    for (const key of uploads.filter((k) => k.startsWith(TEMP_PREFIX))) {
      await this.o.blobStore.delete(key);
      report.tempUploads++;
    }
    const stored = uploads.filter((k) => UPLOAD_KEY.test(k));
    for (let i = 0; i < stored.length; i += CHUNK) {
      const chunk = stored.slice(i, i + CHUNK);
      const referenced = await this.referencedUploads(chunk);
      for (const key of chunk.filter((k) => !referenced.has(k))) {
        if (await this.deleteUnrecordedUpload(key)) report.unrecordedUploads++;
      }
    }

    const jobBlobs = old(await list(JOB_WORKSPACES_PREFIX));
    const byJob = new Map<string, string[]>();
    for (const key of jobBlobs) {
      const id = jobIdOfWorkspaceKey(key);
      if (id !== undefined) byJob.set(id, [...(byJob.get(id) ?? []), key]);
    }
    const ids = [...byJob.keys()];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const live = await existingJobIds(this.o.database.db, chunk);
      for (const id of chunk.filter((j) => !live.has(j))) {
        // Jobs are deleted rows first, blobs second, and never come back: no lock is needed.
        for (const key of byJob.get(id)!) await this.o.blobStore.delete(key);
        report.orphanJobBlobs += byJob.get(id)!.length;
      }
    }
    if (report.tempUploads + report.unrecordedUploads + report.orphanJobBlobs > 0)
      this.o.log.info(report, "blob sweeper removed orphaned blobs");
    return report;
  }

  private async referencedUploads(keys: string[]): Promise<Set<string>> {
    return referencedBlobKeys(this.o.database.db, keys);
  }

  /** Under the key's lock: removed only if still no document (live or deleted) points at it. */
  private deleteUnrecordedUpload(key: string): Promise<boolean> {
    return writeTransaction(this.o.database, async (trx) => {
      await lockUploadKey(this.o.database, trx, key);
      if (await isBlobReferenced(trx, key)) return false;
      await this.o.blobStore.delete(key);
      return true;
    });
  }
}
