/**
 * One native `tesseract` process kept running between pages, so its model is loaded once
 * instead of for every page (about 0.2 s of CPU each time: a third of a receipt's reading).
 *
 * How: `tesseract stdin stdout … -c stream_filelist=true tsv` reads image paths from stdin
 * one line at a time and writes each page's TSV as soon as the page is read. The TSV has no
 * end-of-page marker, so after every image Docket sends a 1×1 white "sentinel" image: when the
 * sentinel's page row appears, the page before it is complete. Each page is recognised from a
 * clean state (the LSTM engine keeps nothing between pages; the tests compare warm readings
 * with one-process-per-page readings byte for byte).
 *
 * One page at a time per process (the pool hands a process to one caller). An abort or a
 * timeout kills the process (SIGKILL): a cancelled page must stop costing CPU at once, and a
 * process cannot be told to drop the page it is reading.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { DocketError } from "../../errors.js";
import { cancelledError } from "../abort.js";

export interface WarmTesseractOptions {
  binary: string;
  /** Everything that fixes how pages are read: tessdata, languages, psm, variables. */
  args: readonly string[];
  /** The blank page sent after each image (its row marks the end of the image's output). */
  sentinelPath: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Kill the process when one page takes longer than this (a stuck binary must not hold a job). */
  timeoutMs: number;
}

const TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";
/** Enough of stderr to say why a process died, without holding every warning it printed. */
const STDERR_TAIL_CHARS = 2_000;

interface PendingPage {
  /** Tesseract's page number for the image (1-based, counting sentinels). */
  page: number;
  rows: string[];
  resolve: (tsv: string) => void;
  reject: (error: Error) => void;
}

export class WarmTesseract {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: PendingPage | undefined;
  /** Pages (images and sentinels) handed to the process so far. */
  private pagesSent = 0;
  private partialLine = "";
  private stderrTail = "";
  private ended = false;
  /** Images read to completion (the pool retires a process after many). */
  pagesRead = 0;
  lastUsedAt = Date.now();

  constructor(private readonly options: WarmTesseractOptions) {
    this.child = spawn(
      options.binary,
      [
        "stdin",
        "stdout",
        ...options.args,
        "-c",
        "stream_filelist=true",
        // The variable, not the `tsv` config file: configs are looked up in the tessdata folder,
        // and a --tessdata-dir of Docket's own (npm-tessdata.ts) has none.
        "-c",
        "tessedit_create_tsv=1",
      ],
      {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, OMP_THREAD_LIMIT: "1" },
      },
    );
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    // EPIPE after the process died is reported through 'close'.
    this.child.stdin.on("error", () => undefined);
    this.child.on("error", (error) =>
      this.fail(
        new DocketError("ocr_failed", `cannot run ${options.binary}: ${error.message}`, {
          cause: error,
          permanent: false,
        }),
      ),
    );
    this.child.on("close", (code, signal) => {
      this.fail(
        new DocketError(
          "ocr_failed",
          `tesseract exited with ${code ?? signal}: ${this.lastErrorLines()}`.trim().slice(0, 600),
          { permanent: false },
        ),
      );
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once the process has exited or been killed: the pool then drops it. */
  get alive(): boolean {
    return !this.ended;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Read one image file (PNG with its DPI in pHYs) to Tesseract's TSV. */
  read(imagePath: string, options: ReadOptions): Promise<string> {
    if (this.ended) return Promise.reject(new DocketError("ocr_failed", "tesseract process has ended"));
    if (this.pending !== undefined) return Promise.reject(new Error("WarmTesseract reads one page at a time"));
    if (options.signal?.aborted === true) return Promise.reject(cancelledError());
    const page = this.pagesSent + 1;
    this.pagesSent += 2;
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => {
        this.kill();
        settle(() => reject(cancelledError()));
      };
      const timer = setTimeout(() => {
        this.kill();
        settle(() =>
          reject(
            new DocketError("ocr_failed", `tesseract timed out after ${options.timeoutMs} ms`, { permanent: false }),
          ),
        );
      }, options.timeoutMs);
      timer.unref();
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.pending = undefined;
        fn();
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending = {
        page,
        rows: [],
        resolve: (tsv) =>
          settle(() => {
            this.pagesRead++;
            this.lastUsedAt = Date.now();
            resolve(tsv);
          }),
        reject: (error) => settle(() => reject(error)),
      };
      this.child.stdin.write(`${imagePath}\n${this.options.sentinelPath}\n`);
    });
  }

  kill(): void {
    if (!this.ended) this.child.kill("SIGKILL");
    this.ended = true;
  }

  private onStdout(chunk: string): void {
    const lines = (this.partialLine + chunk).split("\n");
    this.partialLine = lines.pop() ?? "";
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: string): void {
    const pending = this.pending;
    if (pending === undefined || line === "" || line.startsWith("level\t")) return; // the header, before the first page
    const [level, pageColumn] = line.split("\t", 2);
    const pageNumber = Number(pageColumn);
    if (!/^[1-5]$/.test(level ?? "") || !Number.isInteger(pageNumber)) {
      // Not TSV: the process was started wrongly. Fail now rather than wait for a timeout.
      this.kill();
      pending.reject(new DocketError("ocr_failed", `tesseract wrote something other than TSV: ${line.slice(0, 200)}`));
      return;
    }
    if (pageNumber === pending.page) pending.rows.push(line);
    else if (pageNumber === pending.page + 1) pending.resolve([TSV_HEADER, ...pending.rows, ""].join("\n"));
  }

  private fail(error: Error): void {
    this.ended = true;
    this.pending?.reject(error);
  }

  private lastErrorLines(): string {
    return this.stderrTail
      .split("\n")
      .filter(
        (line) => line.trim() !== "" && !/^(Page \d+ :|Warning: Invalid resolution|Estimating resolution)/.test(line),
      )
      .slice(-5)
      .join("; ");
  }
}
