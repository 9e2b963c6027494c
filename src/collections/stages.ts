import type { UnifiedStatus } from "../domain/status.js";
import { DOCUMENT_STATUSES, type DocumentStatus } from "../domain/types.js";

/**
 * The two gated stages of a collection, computed from its members' unified statuses and
 * the compile job's. Pure: no IO, so the gate's rule lives in one place and is tested alone.
 */

export interface MemberState {
  documentId: string;
  filename: string;
  status: UnifiedStatus;
  latestJobId: string | null;
}

export type ProcessStageStatus = "empty" | "pending" | "processing" | "completed" | "attention";
export type CompileStageStatus = "locked" | "ready" | "queued" | "processing" | "completed" | "failed" | "cancelled";

export interface BlockingDocument {
  document_id: string;
  filename: string;
  status: DocumentStatus;
}

export interface ProcessStage {
  name: "process";
  status: ProcessStageStatus;
  total: number;
  counts: Record<DocumentStatus, number>;
  percentage: number;
}

export interface CompileGate {
  locked: boolean;
  /** Why it is locked, for people (null when unlocked). */
  reason: string | null;
  blocking: BlockingDocument[];
}

const ACTIVE: ReadonlySet<DocumentStatus> = new Set(["queued", "processing"]);

/**
 * Whether a member is done for the compile stage: its latest job completed. An approved
 * review shows as `completed` (approval clears the review reason); `manual_review` is not.
 */
export const isCompiled = (status: DocumentStatus): boolean => status === "completed";

export function processStage(members: readonly MemberState[]): ProcessStage {
  const counts = Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, 0])) as Record<DocumentStatus, number>;
  let sum = 0;
  for (const m of members) {
    counts[m.status.status]++;
    // A finished document, whatever its outcome, is done as far as the stage's progress goes.
    sum += ACTIVE.has(m.status.status) ? m.status.percentage : m.status.status === "uploaded" ? 0 : 100;
  }
  const total = members.length;
  let status: ProcessStageStatus;
  if (total === 0) status = "empty";
  else if (counts.completed === total) status = "completed";
  else if (counts.queued + counts.processing > 0) status = "processing";
  else if (counts.uploaded === total) status = "pending";
  else if (counts.uploaded > 0) status = "pending";
  else status = "attention";
  return {
    name: "process",
    status,
    total,
    counts,
    percentage: total === 0 ? 0 : Math.round((sum / total) * 10) / 10,
  };
}

export function compileGate(members: readonly MemberState[]): CompileGate {
  if (members.length === 0) return { locked: true, reason: "The collection has no documents", blocking: [] };
  const blocking = members
    .filter((m) => !isCompiled(m.status.status))
    .map((m) => ({ document_id: m.documentId, filename: m.filename, status: m.status.status }));
  if (blocking.length === 0) return { locked: false, reason: null, blocking };
  const names = blocking
    .slice(0, 5)
    .map((b) => `${b.filename} (${b.status})`)
    .join(", ");
  const more = blocking.length > 5 ? ` and ${blocking.length - 5} more` : "";
  return {
    locked: true,
    reason: `${blocking.length} of ${members.length} documents are not completed: ${names}${more}`,
    blocking,
  };
}

/** The compile stage's status from the gate and the latest collection job's unified status. */
export function compileStageStatus(gate: CompileGate, job: UnifiedStatus | null): CompileStageStatus {
  if (job === null || job.status === "uploaded") return gate.locked ? "locked" : "ready";
  switch (job.status) {
    case "queued":
      return "queued";
    case "processing":
      return "processing";
    case "completed":
    case "manual_review":
      return "completed";
    case "failed":
      return "failed";
    case "cancelled":
      return "cancelled";
  }
}

export interface AggregateProgress {
  /** 1-based: 1 = process, 2 = compile. */
  phase_index: number;
  phase_total: number;
  phase: "process" | "compile";
  percentage: number;
  elapsed_ms: number;
  message: string;
}

/**
 * "Phase k of n": the process stage until it is done and compile has not run, then the compile
 * job's own progress. `elapsed_ms` of the process stage runs from the first member's start.
 */
export function aggregateProgress(
  stage: ProcessStage,
  members: readonly MemberState[],
  compile: UnifiedStatus | null,
): AggregateProgress {
  if (compile && compile.status !== "uploaded") {
    const step = compile.total_steps > 0 ? ` (step ${compile.step} of ${compile.total_steps})` : "";
    return {
      phase_index: 2,
      phase_total: 2,
      phase: "compile",
      percentage: compile.percentage,
      elapsed_ms: compile.elapsed_ms,
      message: `${compile.message ?? compile.status}${step}`,
    };
  }
  const elapsed = members.reduce((max, m) => Math.max(max, m.status.elapsed_ms), 0);
  const done = stage.total - stage.counts.queued - stage.counts.processing - stage.counts.uploaded;
  return {
    phase_index: 1,
    phase_total: 2,
    phase: "process",
    percentage: stage.percentage,
    elapsed_ms: elapsed,
    message: `${done} of ${stage.total} documents finished`,
  };
}
