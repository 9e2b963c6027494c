/**
 * Runs the native `tesseract` binary once: image on stdin, result on stdout, killed on abort.
 * OMP_THREAD_LIMIT=1 because Docket parallelises across pages (one process per core); letting
 * each process also spawn OpenMP threads oversubscribes the CPU and is slower overall.
 */
import { spawn } from "node:child_process";
import { DocketError } from "../../errors.js";
import { cancelledError } from "../abort.js";

export interface RunTesseractOptions {
  binary: string;
  args: string[];
  stdin?: Buffer;
  signal?: AbortSignal;
  /** Kill the process after this long (a stuck binary must not hold a job forever). */
  timeoutMs?: number;
}

export interface TesseractOutput {
  stdout: string;
  stderr: string;
}

export function runTesseract(options: RunTesseractOptions): Promise<TesseractOutput> {
  return new Promise<TesseractOutput>((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(cancelledError());
      return;
    }
    const child = spawn(options.binary, options.args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, OMP_THREAD_LIMIT: "1" },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    let killedFor: "abort" | "timeout" | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const onAbort = (): void => {
      killedFor = "abort";
      child.kill("SIGKILL");
      // Do not wait for the exit event: the caller's cancel must be prompt.
      finish(() => reject(cancelledError()));
    };
    const timer = setTimeout(() => {
      killedFor = "timeout";
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 300_000);
    timer.unref();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) =>
      finish(() =>
        reject(
          new DocketError("ocr_failed", `cannot run ${options.binary}: ${error.message}`, {
            cause: error,
            permanent: false,
          }),
        ),
      ),
    );
    child.on("close", (code, signal) => {
      const err = Buffer.concat(stderr).toString("utf8");
      if (code === 0) {
        finish(() => resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: err }));
        return;
      }
      const why = killedFor === "timeout" ? "timed out" : `exited with ${code ?? signal}`;
      finish(() =>
        reject(new DocketError("ocr_failed", `tesseract ${why}: ${err.trim().slice(0, 500)}`, { permanent: false })),
      );
    });
    // EPIPE when the process dies before reading all input is reported through 'close'.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin);
  });
}
