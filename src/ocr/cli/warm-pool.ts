/**
 * Warm `tesseract` processes for the CLI backend, one per way of reading (languages, page
 * segmentation mode, variables: what a process is started with), at most `maxProcesses` in
 * all. The backend's permits bound concurrent reads to the same number, so a read always
 * finds an idle process of its kind, room for a new one, or an idle one of another kind to
 * end for it (the one unused longest).
 *
 * Images go to the processes as files in a private temporary folder, since the streaming
 * mode reads paths; each file is deleted when its page is read. Processes end after
 * `idleMs` without work (a quiet server holds no tesseract memory) and after
 * `maxPagesPerProcess` pages (a bound on whatever a long-lived process might accumulate).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { withPngDensity } from "../../imaging/png-density.js";
import { WarmTesseract, type ReadOptions } from "./warm-tesseract.js";

export interface WarmPoolOptions {
  binary: string;
  maxProcesses: number;
  idleMs?: number;
  maxPagesPerProcess?: number;
}

const DEFAULT_IDLE_MS = 60_000;
const DEFAULT_MAX_PAGES = 500;

export class WarmTesseractPool {
  private readonly processes = new Map<WarmTesseract, string>();
  private folder: Promise<{ dir: string; sentinel: string }> | undefined;
  private dir: string | undefined;
  private imageCount = 0;
  private reaper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: WarmPoolOptions) {}

  /** Processes running now (idle or reading), for tests and health details. */
  get size(): number {
    return this.processes.size;
  }

  /** The private folder images pass through (undefined before the first read). */
  folderPath(): string | undefined {
    return this.dir;
  }

  pids(): number[] {
    return [...this.processes.keys()].flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  }

  /**
   * Read `png` at `dpi` with a process started with `args`. Rejects with `cancelled` on
   * abort and `ocr_failed` when the process dies or times out; the process is then dropped.
   */
  async read(args: readonly string[], png: Buffer, dpi: number, options: ReadOptions): Promise<string> {
    if (this.closed) throw new Error("tesseract pool is closed");
    // The streaming mode takes no --dpi per page: the resolution travels in the PNG itself.
    const { path, sentinel } = await this.writeImage(withPngDensity(png, dpi));
    const key = args.join("\u0000");
    const reader = this.take(key, args, sentinel);
    try {
      return await reader.read(path, options);
    } finally {
      if (!reader.alive || reader.pagesRead >= (this.options.maxPagesPerProcess ?? DEFAULT_MAX_PAGES)) {
        reader.kill();
        this.processes.delete(reader);
      }
      this.scheduleReap();
      await rm(path, { force: true });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reaper);
    for (const reader of this.processes.keys()) reader.kill();
    this.processes.clear();
    const folder = this.folder;
    this.folder = undefined;
    if (folder !== undefined) await rm((await folder).dir, { recursive: true, force: true });
  }

  private take(key: string, args: readonly string[], sentinelPath: string): WarmTesseract {
    const idle = [...this.processes].filter(([p]) => !p.busy && p.alive);
    const sameKind = idle.find(([, k]) => k === key)?.[0];
    if (sameKind !== undefined) return sameKind;
    for (const [p] of [...this.processes].filter(([p]) => !p.alive)) this.processes.delete(p);
    if (this.processes.size >= this.options.maxProcesses) {
      const oldest = idle.sort(([a], [b]) => a.lastUsedAt - b.lastUsedAt)[0]?.[0];
      oldest?.kill();
      if (oldest !== undefined) this.processes.delete(oldest);
    }
    const reader = new WarmTesseract({ binary: this.options.binary, args, sentinelPath });
    this.processes.set(reader, key);
    return reader;
  }

  /**
   * Write the image into the private folder. A folder removed behind the server's back (a tmp
   * cleaner on a server idle for days) is made again, with its sentinel, once.
   */
  private async writeImage(png: Buffer): Promise<{ path: string; sentinel: string }> {
    for (let attempt = 0; ; attempt++) {
      const { dir, sentinel } = await this.ensureFolder();
      const path = join(dir, `page-${++this.imageCount}.png`);
      try {
        await writeFile(path, png);
        if (attempt > 0 || existsSync(sentinel)) return { path, sentinel };
        await rm(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt > 0) throw error;
      }
      // The folder (or the sentinel in it) is gone: every process was started with paths in it.
      for (const reader of this.processes.keys()) if (!reader.busy) reader.kill();
      this.folder = undefined;
    }
  }

  private ensureFolder(): Promise<{ dir: string; sentinel: string }> {
    this.folder ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), "docket-tesseract-"));
      this.dir = dir;
      const blank = await sharp({ create: { width: 1, height: 1, channels: 3, background: "#ffffff" } })
        .grayscale()
        .png()
        .toBuffer();
      const sentinel = join(dir, "end-of-page.png");
      await writeFile(sentinel, withPngDensity(blank, 300));
      return { dir, sentinel };
    })();
    return this.folder;
  }

  /** End processes idle for `idleMs`; re-arms itself while any process is left. */
  private scheduleReap(): void {
    if (this.reaper !== undefined || this.closed) return;
    const idleMs = this.options.idleMs ?? DEFAULT_IDLE_MS;
    this.reaper = setTimeout(() => {
      this.reaper = undefined;
      const now = Date.now();
      for (const reader of [...this.processes.keys()]) {
        if (!reader.busy && (!reader.alive || now - reader.lastUsedAt >= idleMs)) {
          reader.kill();
          this.processes.delete(reader);
        }
      }
      if (this.processes.size > 0) this.scheduleReap();
    }, idleMs);
    this.reaper.unref();
  }
}
