/**
 * How long a job and each of its steps may run (issue #15, item 4). A step past its limit
 * is aborted and fails with the code `timeout` (retried like any transient failure); a job
 * past its limit fails with `timeout` at once. The limits are per attempt: a retry starts
 * its clock again.
 */

/** The limit of one step kind: a fixed time, or a time per unit of work the step reports. */
export interface StepKindLimit {
  /** The whole step may take this long. */
  ms?: number;
  /**
   * Per unit of the progress total the step reports (OCR: pages and images); until the
   * step reports a total, it has one unit's time.
   */
  perUnitMs?: number;
}

export interface TimeLimits {
  /** A step kind with no limit of its own. */
  stepMs: number;
  /** By step kind: the step name before any `:` (`ocr`, `render_pages`, `deliver`). */
  kinds: Readonly<Record<string, StepKindLimit>>;
  /** One attempt of a whole job. */
  jobMs: number;
  /**
   * A step past its limit is aborted; if it has not stopped after this much longer (it
   * ignores its signal), the job moves on without it: its slot is free and its attempt fails.
   */
  graceMs: number;
}

export const DEFAULT_TIME_LIMITS: TimeLimits = {
  stepMs: 600_000,
  kinds: { ocr: { perUnitMs: 120_000 } },
  jobMs: 1_800_000,
  graceMs: 5_000,
};

/** The step kind of a step name: `deliver:archive` → `deliver`. */
export const stepKind = (step: string): string => step.split(":", 1)[0]!;

/** The limit of `step` once it has reported `units` units of work (undefined: none yet). */
export function stepLimitMs(limits: TimeLimits, step: string, units?: number): number {
  const kind = limits.kinds[stepKind(step)];
  if (kind?.perUnitMs !== undefined) return kind.perUnitMs * Math.max(1, units ?? 1);
  return kind?.ms ?? limits.stepMs;
}

/** Words for a timeout message: "240 s (120 s per unit × 2)". */
export function describeLimit(limits: TimeLimits, step: string, units?: number): string {
  const kind = limits.kinds[stepKind(step)];
  const total = `${seconds(stepLimitMs(limits, step, units))} s`;
  if (kind?.perUnitMs === undefined) return total;
  return `${total} (${seconds(kind.perUnitMs)} s per page or image × ${Math.max(1, units ?? 1)})`;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Parses `kind=seconds` pairs (`DOCKET_STEP_TIMEOUTS=render_pages=300,deliver=120`) into
 * fixed limits; throws with the offending pair.
 */
export function parseKindLimits(text: string): Record<string, StepKindLimit> {
  const out: Record<string, StepKindLimit> = {};
  for (const pair of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z_]+)\s*=\s*(\d+(?:\.\d+)?)$/i.exec(pair);
    if (!match || Number(match[2]) <= 0) throw new Error(`"${pair}" is not <step kind>=<seconds more than 0>`);
    out[match[1]!] = { ms: Math.round(Number(match[2]) * 1000) };
  }
  return out;
}
