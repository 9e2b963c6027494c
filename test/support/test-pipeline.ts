/**
 * A pipeline whose steps do what the job's options tell them, for engine tests and the
 * queue benchmark: `options.script[step]` is one of
 *   "ok" (default), "sleep:<ms>", "progress:<n>:<ms>" (n progress reports, ms apart),
 *   "fail", "transient", "transient_once", "hang" (ignores its signal), "hang_once" (hangs on attempt 1 only),
 *   "crash_once" (kills the process on attempt 1),
 *   "add:<name>" (adds a step named <name>).
 * Each run of a step is appended to `runs` (in-process) so tests can count executions.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DocketError } from "../../src/errors.js";
import type { PipelineDefinition, StepContext, StepHandler } from "../../src/engine/pipeline.js";

export interface StepRun {
  jobId: string;
  step: string;
  attempt: number;
  at: number;
}

export function createTestPipeline(options: {
  steps: string[];
  runs?: StepRun[];
  onRun?: (run: StepRun) => void;
  name?: string;
}): PipelineDefinition {
  const handler: StepHandler = async (ctx: StepContext) => {
    const run = { jobId: ctx.jobId, step: ctx.step, attempt: ctx.attempt, at: Date.now() };
    options.runs?.push(run);
    options.onRun?.(run);
    const script = ((ctx.options.script ?? {}) as Record<string, string>)[ctx.step] ?? "ok";
    const [action, a, b] = script.split(":");
    const rest = script.slice(script.indexOf(":") + 1);
    switch (action) {
      case "ok":
        return { detail: { ran: ctx.step } };
      case "sleep":
        await sleep(Number(a), undefined, { signal: ctx.signal });
        return { detail: { slept: Number(a) } };
      case "progress": {
        const n = Number(a);
        for (let i = 1; i <= n; i++) {
          await sleep(Number(b), undefined, { signal: ctx.signal });
          ctx.progress(i, n, `item ${i} of ${n}`);
        }
        return { detail: { items: n } };
      }
      case "fail":
        throw new DocketError("corrupt_file", `step ${ctx.step} found the input corrupt`);
      case "transient":
        throw new DocketError("transient_error", `step ${ctx.step} hit a transient error`);
      case "transient_once":
        if (ctx.attempt === 1) throw new DocketError("transient_error", `step ${ctx.step} failed on attempt 1`);
        return { detail: { recovered: true } };
      case "hang":
        await new Promise(() => undefined);
        return;
      case "hang_once":
        if (ctx.attempt === 1) await new Promise(() => undefined);
        return { detail: { recovered: true } };
      case "crash_once":
        if (ctx.attempt === 1) process.kill(process.pid, "SIGKILL");
        return;
      case "add":
        await ctx.addSteps([rest]);
        return;
      case "skip":
        return { skipped: true, message: "nothing to do" };
      default:
        throw new Error(`unknown script ${script}`);
    }
  };
  return {
    name: options.name ?? "test",
    plan: (opts) => (Array.isArray(opts.plan) ? (opts.plan as string[]) : options.steps),
    handler: () => handler,
  };
}
