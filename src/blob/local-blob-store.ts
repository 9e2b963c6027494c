import { randomUUID } from "node:crypto";
import type { WriteStream } from "node:fs";
import { once } from "node:events";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobEntry, BlobStore } from "./blob-store.js";
import { assertDeletablePrefix, assertValidBlobKey, assertValidBlobPrefix, RESERVED_TEMP_SEGMENT } from "./blob-key.js";
import { DocketError } from "../errors.js";

export interface LocalBlobStoreOptions {
  /**
   * fsync each blob (and its directory) before it becomes visible. On by default: the
   * database commits a blob's key right after `put` returns, and without fsync a power loss
   * can leave that key pointing at an empty file. Tests may turn it off for speed.
   */
  fsync?: boolean;
}

/** A BlobStore that can rename a blob in place (cheap "move"); see `moveBlob`. */
export interface MovableBlobStore extends BlobStore {
  move(fromKey: string, toKey: string): Promise<void>;
}

/**
 * Blobs as files under one root directory (by default `DOCKET_DATA_DIR/blobs`).
 *
 * Every write goes to `<root>/.tmp/<uuid>` first and is renamed over the final path, so a
 * reader sees the old blob or the new one, never a partial one, and a crashed write leaves
 * only a temp file (removed by `removeStaleTemp`). The temp folder is inside the root so the
 * rename never crosses a filesystem.
 */
export class LocalBlobStore implements MovableBlobStore {
  readonly root: string;
  private readonly tempDir: string;
  private readonly fsync: boolean;

  constructor(root: string, options: LocalBlobStoreOptions = {}) {
    this.root = resolve(root);
    this.tempDir = join(this.root, RESERVED_TEMP_SEGMENT);
    this.fsync = options.fsync ?? true;
  }

  async put(key: string, data: Readable | Buffer | Uint8Array | string): Promise<{ size: number }> {
    const target = this.pathFor(key);
    return data instanceof Readable ? this.putStream(target, data) : this.putBytes(target, toBuffer(data));
  }

  /**
   * Bytes already in memory (step outputs, exports): one write on a file handle. The stream
   * path costs several event-loop turns more, and steps write a dozen small files a job.
   */
  private async putBytes(target: string, bytes: Buffer): Promise<{ size: number }> {
    const temp = this.newTempPath();
    let handle: FileHandle | undefined;
    try {
      handle = await this.openTemp(temp);
      await handle.writeFile(bytes);
      if (this.fsync) await handle.sync();
      await handle.close();
      handle = undefined;
      await this.publish(temp, target);
      return { size: bytes.length };
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  private async putStream(target: string, source: Readable): Promise<{ size: number }> {
    const temp = this.newTempPath();
    let size = 0;
    let file: WriteStream | undefined;
    try {
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      });
      const handle = await this.openTemp(temp);
      // flush: the stream fsyncs its own descriptor before closing it (no second open).
      file = handle.createWriteStream({ flush: this.fsync });
      await pipeline(source, counter, file);
      await this.publish(temp, target);
      return { size };
    } catch (error) {
      // A stream destroyed early may still be closing its file: wait, so the unlink below is
      // the last word on the temp file.
      if (file && !file.closed) await once(file, "close").catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** Creates a temp file for writing; the temp folder is made on first use (or if removed since). */
  private async openTemp(temp: string): Promise<FileHandle> {
    try {
      return await open(temp, "wx");
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await mkdir(this.tempDir, { recursive: true });
      return open(temp, "wx");
    }
  }

  /**
   * Renames a finished temp file over its key. The folder is made only when the rename says
   * it is missing (most writes go to folders that exist), and made again if a concurrent
   * delete pruned it in between.
   */
  private async publish(temp: string, target: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await rename(temp, target);
        break;
      } catch (error) {
        if (!isNotFound(error) || attempt === 3) throw error;
        await mkdir(dirname(target), { recursive: true });
      }
    }
    if (this.fsync) await fsyncDir(dirname(target));
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathFor(key);
    // Opening first turns a missing blob into a rejected promise here rather than an
    // 'error' event on a stream the caller may not be listening to yet.
    const handle = await open(path, "r").catch((error: unknown) => {
      throw this.mapMissing(error, key);
    });
    return handle.createReadStream({ autoClose: true });
  }

  async getBuffer(key: string): Promise<Buffer> {
    return readFile(this.pathFor(key)).catch((error: unknown) => {
      throw this.mapMissing(error, key);
    });
  }

  async exists(key: string): Promise<boolean> {
    const path = this.pathFor(key);
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async size(key: string): Promise<number> {
    const path = this.pathFor(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new DocketError("not_found", `blob ${key} not found`);
      return info.size;
    } catch (error) {
      throw this.mapMissing(error, key);
    }
  }

  /** Deleting a missing blob is not an error: delete is idempotent (retried steps call it again). */
  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    try {
      await unlink(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return;
    }
    await this.pruneEmptyParents(dirname(path));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertDeletablePrefix(prefix);
    const dir = this.resolveInside(prefix);
    await rm(dir, { recursive: true, force: true });
    await this.pruneEmptyParents(dirname(dir));
  }

  /** Keys under `prefix`, sorted; the prefix need not end at a '/' ("uploads/ab" matches "uploads/abc/…"). */
  async list(prefix: string): Promise<string[]> {
    assertValidBlobPrefix(prefix);
    // Walk the deepest folder the prefix fully names, then filter by the full prefix.
    const slash = prefix.lastIndexOf("/");
    const folder = slash < 0 ? "" : prefix.slice(0, slash);
    const start = folder === "" ? this.root : this.resolveInside(folder);
    const keys: string[] = [];
    await this.walk(start, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async listEntries(prefix: string): Promise<BlobEntry[]> {
    const entries: BlobEntry[] = [];
    for (const key of await this.list(prefix)) {
      const info = await stat(this.pathFor(key)).catch(() => undefined);
      if (info) entries.push({ key, modifiedAt: info.mtimeMs });
    }
    return entries;
  }

  localPath(key: string): string {
    return this.pathFor(key);
  }

  async check(): Promise<void> {
    const probe = this.newTempPath();
    const handle = await this.openTemp(probe);
    await handle.close();
    await unlink(probe);
  }

  /** Rename within the store: atomic, no copy. Overwrites an existing `toKey`. */
  async move(fromKey: string, toKey: string): Promise<void> {
    const from = this.pathFor(fromKey);
    const to = this.pathFor(toKey);
    await mkdir(dirname(to), { recursive: true });
    try {
      await rename(from, to);
    } catch (error) {
      throw this.mapMissing(error, fromKey);
    }
    if (this.fsync) await fsyncDir(dirname(to));
    await this.pruneEmptyParents(dirname(from));
  }

  /**
   * Remove temp files older than `olderThanMs` (left by a crash in the middle of a write).
   * Call at start-up; a younger temp file may belong to a write in progress.
   */
  async removeStaleTemp(olderThanMs = 60 * 60 * 1000, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tempDir);
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.tempDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  private pathFor(key: string): string {
    assertValidBlobKey(key);
    return this.resolveInside(key);
  }

  /** Second line of defence after key validation: the resolved path must stay under the root. */
  private resolveInside(relativeKey: string): string {
    const path = resolve(this.root, relativeKey);
    const rel = relative(this.root, path);
    if (rel === "" || rel.startsWith("..") || rel.startsWith(sep) || resolve(this.root, rel) !== path) {
      throw new DocketError("validation_error", `blob key ${JSON.stringify(relativeKey)} escapes the store`, {
        permanent: true,
      });
    }
    return path;
  }

  private newTempPath(): string {
    return join(this.tempDir, randomUUID());
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error) || isNotDirectory(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (full === this.tempDir) continue;
      if (entry.isDirectory()) await this.walk(full, out);
      else if (entry.isFile()) out.push(relative(this.root, full).split(sep).join("/"));
    }
  }

  /** Content-addressed folders (`uploads/ab/cd/`) would otherwise accumulate empty. Best effort. */
  private async pruneEmptyParents(dir: string): Promise<void> {
    let current = dir;
    while (current !== this.root && current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone / raced with a writer): stop climbing
      }
      current = dirname(current);
    }
  }

  private mapMissing(error: unknown, key: string): unknown {
    if (isNotFound(error) || isNotDirectory(error)) {
      return new DocketError("not_found", `blob ${key} not found`, { cause: error });
    }
    return error;
  }
}

function toBuffer(data: Buffer | Uint8Array | string): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

function isNotDirectory(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOTDIR";
}

/** Makes the rename itself durable. Some filesystems refuse fsync on a directory: ignore that. */
async function fsyncDir(path: string): Promise<void> {
  try {
    const handle = await open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
