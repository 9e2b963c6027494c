import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deriveStatus, type StatusJob, type StatusStep } from "../../src/domain/status.js";
import type { JobStatus, StepStatus } from "../../src/domain/types.js";

const T0 = Date.UTC(2026, 0, 1);

function job(status: JobStatus, patch: Partial<StatusJob> = {}): StatusJob {
  return {
    status,
    attempt: status === "pending" ? 0 : 1,
    maxAttempts: 3,
    runAt: new Date(T0),
    cancelRequestedAt: null,
    progress: { phase: null, step: 0, total_steps: 0, percentage: 0, message: null },
    error: null,
    createdAt: new Date(T0),
    startedAt: status === "pending" ? null : new Date(T0 + 1_000),
    completedAt: status === "completed" || status === "failed" || status === "cancelled" ? new Date(T0 + 5_000) : null,
    version: 42,
    reviewReason: null,
    ...patch,
  };
}

function steps(...statuses: (StepStatus | [StepStatus, Partial<StatusStep>])[]): StatusStep[] {
  return statuses.map((s, position) => {
    const [status, patch] = Array.isArray(s) ? s : [s, {}];
    return {
      name: `s${position + 1}`,
      position,
      status,
      progressDone: 0,
      progressTotal: 0,
      jobAttempt: 1,
      error: null,
      ...patch,
    };
  });
}

interface Case {
  name: string;
  job: StatusJob | null;
  steps: StatusStep[];
  expect: Partial<ReturnType<typeof deriveStatus>>;
}

const NOW = T0 + 10_000;

const cases: Case[] = [
  {
    name: "a document with no job is uploaded",
    job: null,
    steps: [],
    expect: { status: "uploaded", step: 0, total_steps: 0, can_cancel: false, can_retry: false, version: 0 },
  },
  {
    name: "a pending job is queued and cancellable",
    job: job("pending"),
    steps: steps("pending", "pending"),
    expect: {
      status: "queued",
      step: 1,
      total_steps: 2,
      percentage: 0,
      can_cancel: true,
      can_retry: false,
      elapsed_ms: 10_000,
    },
  },
  {
    name: "a job waiting for a retry is queued and says so",
    job: job("pending", {
      attempt: 1,
      runAt: new Date(NOW + 4_000),
      error: { code: "transient_error", message: "db down" },
    }),
    steps: steps("success", "pending"),
    expect: {
      status: "queued",
      step: 2,
      percentage: 50,
      error: null,
      message: "Attempt 1 failed: db down; attempt 2 of 3 in 4 s",
    },
  },
  {
    name: "an automatic retry waiting out its back-off is the same run: elapsed counts from submission",
    job: job("pending", { attempt: 1, startedAt: new Date(T0 + 1_000), runAt: new Date(NOW + 4_000) }),
    steps: steps("success", "pending"),
    expect: { status: "queued", elapsed_ms: 10_000 },
  },
  {
    name: "a manual retry is a new run: queued time counts from the retry request, not the first run",
    job: job("pending", { attempt: 1, startedAt: null, runAt: new Date(T0 + 8_000) }),
    steps: steps("success", "pending"),
    expect: { status: "queued", elapsed_ms: 2_000 },
  },
  {
    name: "processing shows step k of n with in-step progress",
    job: job("processing", {
      progress: { phase: "s2", step: 2, total_steps: 4, percentage: 0, message: "page 1 of 2" },
    }),
    steps: steps("success", ["in_progress", { progressDone: 1, progressTotal: 2 }], "pending", "pending"),
    expect: {
      status: "processing",
      phase: "s2",
      step: 2,
      total_steps: 4,
      percentage: 37.5,
      message: "page 1 of 2",
      can_cancel: true,
      elapsed_ms: 9_000,
    },
  },
  {
    name: "all steps done but the job not yet marked is still processing, below 100 %",
    job: job("processing"),
    steps: steps("success", "success"),
    expect: { status: "processing", step: 2, percentage: 99, can_cancel: true },
  },
  {
    name: "a stale in_progress step from an earlier attempt does not count as running",
    job: job("processing", { attempt: 2 }),
    steps: steps("success", ["in_progress", { jobAttempt: 1, progressDone: 5, progressTotal: 10 }], "pending"),
    expect: { status: "processing", phase: "s2", step: 2, percentage: 33.3 },
  },
  {
    name: "a cancel-requested job still processes but can no longer be cancelled",
    job: job("processing", { cancelRequestedAt: new Date(NOW - 100) }),
    steps: steps("in_progress", "pending"),
    expect: { status: "processing", can_cancel: false, can_retry: false, message: "Cancelling…" },
  },
  {
    name: "completed is 100 % and not actionable",
    job: job("completed"),
    steps: steps("success", "skipped", "success"),
    expect: {
      status: "completed",
      step: 3,
      total_steps: 3,
      percentage: 100,
      can_cancel: false,
      can_retry: false,
      elapsed_ms: 4_000,
    },
  },
  {
    name: "completed with a review reason needs manual review",
    job: job("completed", { reviewReason: "low OCR confidence" }),
    steps: steps("success"),
    expect: { status: "manual_review", message: "low OCR confidence" },
  },
  {
    name: "failed carries the error, points at the failed step and is retryable",
    job: job("failed", { error: { code: "ocr_failed", message: "tesseract crashed" } }),
    steps: steps("success", ["failure", { error: { code: "ocr_failed", message: "tesseract crashed" } }], "pending"),
    expect: {
      status: "failed",
      phase: "s2",
      step: 2,
      error: { code: "ocr_failed", message: "tesseract crashed" },
      message: "tesseract crashed",
      can_retry: true,
      can_cancel: false,
    },
  },
  ...["corrupt_file", "encrypted_pdf", "too_many_pages", "image_too_large", "too_complex"].map((code) => ({
    name: `failed with ${code} (the file itself) is not retryable, and the message says why`,
    job: job("failed", { error: { code, message: "bad file" } }),
    steps: steps("success", ["failure", { error: { code, message: "bad file" } }], "pending"),
    expect: {
      status: "failed" as const,
      error: { code, message: "bad file" },
      message: "bad file. This is a problem with the file itself, so retrying cannot help; upload a corrected file",
      can_retry: false,
    },
  })),
  {
    name: "cancelled is retryable and has no error",
    job: job("cancelled"),
    steps: steps("success", "cancelled", "cancelled"),
    expect: { status: "cancelled", phase: "s2", step: 2, error: null, can_retry: true, can_cancel: false },
  },
  {
    name: "the version is the job's version",
    job: job("processing", { version: 977 }),
    steps: steps("in_progress"),
    expect: { version: 977 },
  },
];

describe("deriveStatus", () => {
  for (const c of cases) {
    it(c.name, () => {
      const status = deriveStatus(c.job, c.steps, NOW);
      for (const [key, value] of Object.entries(c.expect)) {
        assert.deepEqual(status[key as keyof typeof status], value, `${key}`);
      }
    });
  }

  it("never reports more than 100 % or a negative elapsed time", () => {
    const s = deriveStatus(
      job("processing", { startedAt: new Date(NOW + 5_000) }),
      steps(["in_progress", { progressDone: 9, progressTotal: 3 }]),
      NOW,
    );
    assert.ok(s.percentage <= 99);
    assert.equal(s.elapsed_ms, 0);
  });
});
