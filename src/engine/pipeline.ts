import type { Logger } from "../logger.js";
import type { JobOptions } from "../domain/types.js";
import { DocketError } from "../errors.js";

/**
 * What a pipeline step sees while it runs. The engine owns the job's state; a step only
 * does its work, reports progress and returns a result. Every write it causes through this
 * context is fenced by the job's attempt: after a lease is lost the writes are rejected and
 * `signal` fires.
 */
export interface StepContext {
  readonly jobId: string;
  /** The document this job processes; null for a collection job (see `collectionId`). */
  readonly documentId: string | null;
  readonly collectionId: string | null;
  readonly ownerId: string;
  /** The job's attempt number (1-based); steps must be idempotent per (job, attempt). */
  readonly attempt: number;
  readonly options: JobOptions;
  readonly step: string;
  /** Fires on cancel, lease loss or shutdown; steps must stop within a second. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Progress inside this step (e.g. pages done of total). Cheap to call often: the engine
   * coalesces writes to a few per second and always persists the last one.
   */
  progress(done: number, total: number, message?: string): void;
  /** Append steps to the plan after the current one (e.g. `deliver:<destination>`). */
  addSteps(names: string[]): Promise<void>;
  /** Blob key prefix where this step may write intermediate files: `jobs/<jobId>/<step>/`. */
  readonly workspace: string;
  /** The workspace prefix of an earlier step of this job, to read its outputs. */
  workspaceOf(step: string): string;
}

/** The document a document pipeline's step works on (every pipeline but the collection compile). */
export function documentOf(ctx: StepContext): string {
  if (ctx.documentId === null) throw new DocketError("internal_error", `step ${ctx.step} needs a document job`);
  return ctx.documentId;
}

/** An output of a job recorded in the `artifacts` table when its step succeeds. */
export interface ArtifactRecord {
  /** e.g. "txt", "md", "json", "hocr", "pdf", "fields". */
  kind: string;
  blobKey: string;
  mimeType: string;
  sizeBytes: number;
}

export interface StepResult {
  /** The step did nothing because it did not apply (status `skipped`, not `success`). */
  skipped?: boolean;
  message?: string;
  /** Small JSON kept on the step row (shown in the timeline; read by later steps). */
  detail?: Record<string, unknown>;
  /** Written in the same transaction as the step's success, so partial outputs never show. */
  artifacts?: ArtifactRecord[];
  /** Page count learned by this step, stored on the document. */
  numPages?: number;
  /** Set when a person should check the result: the completed job shows as `manual_review`. */
  reviewReason?: string;
}

export type StepHandler = (ctx: StepContext) => Promise<StepResult | void>;

/** A named sequence of steps. The engine refuses to start a pipeline whose plan names a step without a handler. */
export interface PipelineDefinition {
  name: string;
  /** The steps planned at submit time, in order ("step k of n" is exact from the start). */
  plan(options: JobOptions): string[];
  /** Handler for a step name; `deliver:<dest>`-style names resolve by their prefix. */
  handler(step: string): StepHandler | undefined;
  /**
   * Refuses, at submit, options this server cannot honour (e.g. a language with no
   * installed data) with a `validation_error`, instead of a job that fails minutes later.
   */
  checkOptions?(options: JobOptions): void;
  /** Readiness (for /readyz): throws when the pipeline cannot run (e.g. the OCR engine does not start). */
  check?(): Promise<void>;
  /** Releases what the pipeline holds (OCR worker threads) at shutdown. */
  close?(): Promise<void>;
}

export class PipelineRegistry {
  private readonly pipelines = new Map<string, PipelineDefinition>();

  register(pipeline: PipelineDefinition): void {
    if (this.pipelines.has(pipeline.name)) throw new Error(`pipeline ${pipeline.name} registered twice`);
    this.pipelines.set(pipeline.name, pipeline);
  }

  get(name: string): PipelineDefinition | undefined {
    return this.pipelines.get(name);
  }

  names(): string[] {
    return [...this.pipelines.keys()];
  }
}
