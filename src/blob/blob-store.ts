import type { Readable } from "node:stream";

/**
 * Where file bytes live: uploads (content-addressed), intermediate step outputs
 * (`jobs/<jobId>/<step>/…`) and artifacts. Local files by default, or an S3-compatible bucket.
 * Keys are relative, '/'-separated, and never contain '..' (implementations must refuse them).
 */
export interface BlobEntry {
  key: string;
  modifiedAt: number;
}

export interface BlobStore {
  /** Store a stream or buffer under `key`, atomically (readers never see a partial blob). */
  put(key: string, data: Readable | Buffer | Uint8Array | string): Promise<{ size: number }>;
  get(key: string): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number>;
  delete(key: string): Promise<void>;
  /** Delete every blob whose key starts with `prefix` (a folder-like prefix ending in '/'). */
  deletePrefix(prefix: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
  /**
   * Like `list`, with each blob's last write (epoch ms): the blob sweeper leaves young blobs
   * alone, they may belong to an upload or a job in progress. Optional for test doubles.
   */
  listEntries?(prefix: string): Promise<BlobEntry[]>;
  /** A local file path for the blob when the store is on local disk (for CLI tools), else null. */
  localPath(key: string): string | null;
  /** Throws when the store is not usable (for /readyz). */
  check(): Promise<void>;
  /** Releases connections (S3's HTTP agent); local files need nothing. */
  close?(): void;
}
