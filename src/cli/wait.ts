/**
 * Waiting for documents to finish, fed by the event stream (SSE remotely, the event feed
 * locally): subscribe first, then read each document's status, then apply every message's
 * `document_status` (versions only grow, so a late message never moves a row back). The
 * stream resumes by itself; a slow re-read every BACKSTOP_MS is the safety net for a
 * message lost anyway, not how freshness is achieved.
 */
import { FINAL_STATUSES, type DocketClient, type UnifiedStatus } from "./client/client.js";
import { CliError } from "./errors.js";
import type { ProgressBoard } from "./output/progress.js";

export interface Tracked {
  documentId: string;
  jobId: string | null;
  label: string;
}

export interface WaitOutcome {
  finals: Map<string, UnifiedStatus>;
  /** The newest status seen of every document (final or not). */
  latest: Map<string, UnifiedStatus>;
  /** The wait was interrupted (Ctrl-C / SIGTERM) before every document finished. */
  interrupted: boolean;
}

const BACKSTOP_MS = 15_000;

/**
 * Resolves when every tracked document has a final status, or when interrupted by SIGINT or
 * SIGTERM (the jobs go on; local workers of this process release theirs on close).
 */
export async function waitForDocuments(
  client: DocketClient,
  tracked: readonly Tracked[],
  board: ProgressBoard,
): Promise<WaitOutcome> {
  const ids = new Set(tracked.map((t) => t.documentId));
  const finals = new Map<string, UnifiedStatus>();
  const latest = new Map<string, UnifiedStatus>();
  const controller = new AbortController();
  let finish!: (interrupted: boolean) => void;
  const finished = new Promise<boolean>((resolve) => (finish = resolve));
  if (ids.size === 0) finish(false);

  const apply = (documentId: string, status: UnifiedStatus) => {
    if (!ids.has(documentId) || finals.has(documentId)) return;
    const previous = latest.get(documentId);
    if (previous && status.version < previous.version) return;
    latest.set(documentId, status);
    board.update(documentId, status);
    if (FINAL_STATUSES.has(status.status)) {
      finals.set(documentId, status);
      if (finals.size === ids.size) finish(false);
    }
  };

  let refreshing: Promise<void> | null = null;
  let failure: ((error: unknown) => void) | null = null;
  const failed = new Promise<never>((_, reject) => (failure = reject));
  failed.catch(() => undefined);
  const refresh = () => {
    refreshing ??= (async () => {
      try {
        for (const id of ids) {
          if (finals.has(id) || controller.signal.aborted) continue;
          apply(id, await client.documentStatus(id));
        }
      } catch (error) {
        // A dropped connection is the stream's business (it resumes, or gives up with a clear
        // message); anything else (not found, auth) ends the wait.
        if (!(error instanceof CliError && error.code === "unreachable")) failure?.(error);
      } finally {
        refreshing = null;
      }
    })();
  };

  const onSignal = () => finish(true);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const backstop = setInterval(refresh, BACKSTOP_MS);
  backstop.unref();

  const documentId = ids.size === 1 ? [...ids][0] : undefined;
  const watching = client.watch(
    { documentId },
    {
      onOpen: refresh,
      onMessage: (message) => apply(message.event.document_id, message.document_status),
      onReconnect: (lastEventId, reason) =>
        board.note(`event stream interrupted (${reason}); resuming after event ${lastEventId ?? "(none)"}`),
    },
    controller.signal,
  );
  watching.then(
    () => controller.signal.aborted || failure?.(new Error("the event stream ended")),
    (error: unknown) => failure?.(error),
  );
  const jobIds = tracked.map((t) => t.jobId).filter((id): id is string => id !== null);
  client.ensureProcessing(jobIds, controller.signal).catch((error: unknown) => failure?.(error));

  try {
    const interrupted = await Promise.race([finished, failed]);
    return { finals, latest, interrupted };
  } finally {
    controller.abort();
    clearInterval(backstop);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await watching.catch(() => undefined);
    await (refreshing as Promise<void> | null);
    board.stop();
  }
}
