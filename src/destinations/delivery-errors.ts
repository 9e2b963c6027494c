import { DocketError } from "../errors.js";
import { OutgoingRequestError } from "../net/safe-http.js";

/**
 * The three ways a delivery fails (API.md). `unreachable` is transient: the engine retries
 * the step with back-off. `auth` and `rejected` are permanent: the same request would be
 * refused again, so the step fails at once and waits for a person (and a manual retry).
 */
export const unreachable = (message: string, cause?: unknown) =>
  new DocketError("destination_unreachable", message, { status: 502, permanent: false, cause });

export const authFailed = (message: string) =>
  new DocketError("destination_auth", message, { status: 502, permanent: true });

export const rejected = (message: string, options: { permanent?: boolean } = {}) =>
  new DocketError("destination_rejected", message, { status: 502, permanent: options.permanent ?? true });

/** An HTTP answer as a delivery outcome: 2xx passes, 401/403 are auth, 5xx/408/429 retry, the rest are rejections. */
export function checkHttpStatus(status: number, what: string): void {
  if (status >= 200 && status < 300) return;
  if (status === 401 || status === 403) throw authFailed(`${what}: HTTP ${status} (check the credentials)`);
  if (status >= 500 || status === 408 || status === 429) throw unreachable(`${what}: HTTP ${status}`);
  throw rejected(`${what}: HTTP ${status}`);
}

/** A failed outgoing request as a delivery error: a refused address is permanent, the network is not. */
export function fromOutgoing(error: unknown, what: string): DocketError {
  if (error instanceof DocketError) return error;
  if (error instanceof OutgoingRequestError) {
    if (error.kind === "refused" || error.kind === "bad_url" || error.kind === "redirect")
      return rejected(`${what}: ${error.message}`);
    return unreachable(`${what}: ${error.message}`, error);
  }
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return unreachable(`${what}: ${code ?? (error instanceof Error ? error.message : String(error))}`, error);
}
