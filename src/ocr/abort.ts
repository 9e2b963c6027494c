/**
 * Small helpers so every OCR path reports cancellation the same way: a DocketError with
 * code `cancelled` (which the engine treats as "stop, no retry").
 */
import { DocketError } from "../errors.js";

export function cancelledError(what = "OCR"): DocketError {
  return new DocketError("cancelled", `${what} cancelled`);
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted === true) throw cancelledError(what);
}

/**
 * A promise that rejects with `cancelled` when `signal` fires, plus a disposer that removes
 * the listener (call it in `finally`, or long-lived signals collect listeners).
 */
export function abortPromise(
  signal: AbortSignal | undefined,
  what?: string,
): { promise: Promise<never>; dispose: () => void } {
  if (signal === undefined) return { promise: new Promise<never>(() => undefined), dispose: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelledError(what));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  // Nobody may be listening when it rejects after the work already finished.
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}
