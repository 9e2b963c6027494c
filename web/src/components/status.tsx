import { useSyncExternalStore } from "react";
import { isActive, type DocumentStatus, type StepStatus } from "../api/types";
import { useI18n } from "../i18n/i18n";
import type { LiveStatus } from "../live/cache";
import { IconAlert, IconCheck, IconClock, IconStop, IconX } from "./icons";

/** One shared one-second clock, so elapsed times tick together and only while something is active. */
const ticker = (() => {
  let now = Date.now();
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | null = null;
  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      // The clock was stopped while nothing ran: start from the current time, not the last tick.
      if (!timer) now = Date.now();
      timer ??= setInterval(() => {
        now = Date.now();
        for (const l of listeners) l();
      }, 1000);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    get: () => now,
  };
})();

const never = () => () => undefined;
/**
 * The snapshot while not running: a constant. It must not be `Date.now`: useSyncExternalStore
 * compares its snapshot again after every commit and re-renders synchronously when it changed,
 * so a clock that moves between render and commit (any render slower than 1 ms) re-renders
 * forever ("Maximum update depth exceeded").
 */
const stopped = () => 0;

/**
 * The current time, re-rendering every second while `running` (one shared clock). Not running,
 * there is no clock: it returns 0, and callers use the time only while running.
 */
export function useNow(running: boolean): number {
  return useSyncExternalStore(running ? ticker.subscribe : never, running ? ticker.get : stopped);
}

/** Elapsed time of a status, advanced locally between server updates while it is active. */
export function useElapsed(status: LiveStatus | undefined): number {
  const active = !!status && isActive(status.status);
  const now = useNow(active);
  if (!status) return 0;
  return active ? status.elapsed_ms + Math.max(0, now - status.observed_at) : status.elapsed_ms;
}

export function StatusBadge({ status, size = "md" }: { status: DocumentStatus; size?: "md" | "lg" }) {
  const i18n = useI18n();
  return (
    <span
      className={`badge badge-${status} badge-${size}`}
      data-status={status}
      title={status}
      data-testid="status-badge"
    >
      <span className="badge-dot" aria-hidden="true" />
      {i18n.status(status)}
    </span>
  );
}

export function StepStatusIcon({ status }: { status: StepStatus }) {
  switch (status) {
    case "success":
      return (
        <span className="step-icon step-success">
          <IconCheck size={14} />
        </span>
      );
    case "failure":
      return (
        <span className="step-icon step-failure">
          <IconX size={14} />
        </span>
      );
    case "in_progress":
      return <span className="step-icon step-in_progress" />;
    case "cancelled":
      return (
        <span className="step-icon step-cancelled">
          <IconStop size={14} />
        </span>
      );
    case "skipped":
      return <span className="step-icon step-skipped">–</span>;
    case "pending":
      return <span className="step-icon step-pending" />;
  }
}

/** "Step k of n: <phase> — p% (elapsed)" and its equivalents for the other statuses. */
export function progressText(i18n: ReturnType<typeof useI18n>, status: LiveStatus, elapsedMs: number): string {
  switch (status.status) {
    case "uploaded":
      return i18n.t("progress.uploaded");
    case "queued":
      return i18n.t("progress.queued", {
        message: i18n.message(status.message) || i18n.t("msg.waiting"),
        elapsed: i18n.clock(elapsedMs),
      });
    case "processing":
      return i18n.t("progress.step", {
        k: status.step,
        n: status.total_steps,
        phase: i18n.phase(status.phase),
        p: Math.floor(status.percentage),
        elapsed: i18n.clock(elapsedMs),
      });
    case "completed":
      return i18n.t("progress.completed", { elapsed: i18n.duration(elapsedMs) });
    case "manual_review":
      return i18n.t("progress.review", { message: status.message ?? "" });
    case "cancelled":
      return i18n.t("progress.cancelled", { elapsed: i18n.duration(elapsedMs) });
    case "failed":
      return status.step > 0
        ? i18n.t("progress.failedAt", { k: status.step, n: status.total_steps, phase: i18n.phase(status.phase) })
        : i18n.t("progress.failed");
  }
}

export function ProgressBar({
  status,
  percentage,
  label,
}: {
  status: DocumentStatus;
  percentage: number;
  label: string;
}) {
  const value = status === "completed" || status === "manual_review" ? 100 : Math.max(0, Math.min(100, percentage));
  return (
    <div
      className={`bar bar-${status}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.floor(value)}
      aria-label={label}
    >
      <div className="bar-fill" style={{ transform: `scaleX(${value / 100})` }} />
    </div>
  );
}

/**
 * The progress of one document: the bar and the "Step k of n" line (with the step's own
 * message, e.g. "page 2 of 3", when `detail`). Fixed heights: updates never move the layout.
 */
export function Progress({
  status,
  detail = false,
  note = null,
}: {
  status: LiveStatus;
  detail?: boolean;
  note?: string | null;
}) {
  const i18n = useI18n();
  const elapsed = useElapsed(status);
  const line = progressText(i18n, status, elapsed);
  // Without the detail line (lists), a failure's reason follows the step on the same line.
  const text = !detail && status.status === "failed" && status.error ? `${line} — ${status.error.message}` : line;
  const sub =
    status.status === "failed" && status.error
      ? status.error.message
      : status.status === "processing" && status.message
        ? i18n.message(status.message)
        : null;
  return (
    <div className={`progress progress-${status.status}`} data-testid="progress">
      <ProgressBar status={status.status} percentage={status.percentage} label={line} />
      <div className="progress-text" data-testid="progress-text" title={text}>
        {status.status === "failed" ? (
          <IconAlert size={14} className="progress-icon" />
        ) : status.status === "queued" ? (
          <IconClock size={14} className="progress-icon" />
        ) : null}
        <span>{text}</span>
      </div>
      {detail ? (
        <div
          className={status.status === "failed" ? "progress-sub progress-error" : "progress-sub"}
          data-testid="progress-detail"
        >
          {sub ?? note ?? "\u00a0"}
        </div>
      ) : null}
    </div>
  );
}
