/**
 * The engine suites' shared setup (queue conformance, the ledger's randomized run): a fresh
 * database of the dialect, an engine with a short back-off, an owner, the `test` pipeline with
 * steps validate → ocr → export whose runs are recorded, and helpers to enqueue and to build
 * workers. Call `queueHarness` inside a `describe`: it registers the before/after hooks.
 */
import { after, before } from "node:test";
import type { DialectName } from "../../src/db/database.js";
import type { JobOptions } from "../../src/domain/types.js";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { PipelineRegistry } from "../../src/engine/pipeline.js";
import { Worker } from "../../src/engine/worker.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, skipReasonFor, type TestDatabase } from "./databases.js";
import { seedDocuments } from "./seed.js";
import { createTestPipeline, type StepRun } from "./test-pipeline.js";

export const STEPS = ["validate", "ocr", "export"];

/** Job options with a test-pipeline script (step → behaviour, see test-pipeline.ts). */
export function options(script: Record<string, string> = {}, extra: Partial<JobOptions> = {}): JobOptions {
  return {
    ocr_mode: "document",
    resolution_mode: "base",
    languages: ["eng"],
    outputs: ["txt"],
    ocr: "auto",
    script,
    ...extra,
  };
}

export { waitFor } from "./wait-for.js";

export type WorkerOverrides = Partial<ConstructorParameters<typeof Worker>[0]>;

export interface QueueHarness {
  /** Why the dialect's suite is skipped (no PostgreSQL), or undefined. */
  skip: string | undefined;
  readonly db: TestDatabase;
  readonly engine: Engine;
  readonly ownerId: string;
  /** Every step run of the test pipeline, in order. */
  runs: StepRun[];
  registry: PipelineRegistry;
  newDocument(): Promise<string>;
  enqueue(
    script?: Record<string, string>,
    extra?: { priority?: number; maxAttempts?: number },
  ): ReturnType<Engine["queue"]["enqueue"]>;
  /** A worker on the harness's engine (2 slots, 2 s lease, fast polling); not started. */
  worker(extra?: WorkerOverrides): Worker;
}

export async function queueHarness(dialect: DialectName): Promise<QueueHarness> {
  const log = silentLogger();
  const skip = await skipReasonFor(dialect);
  let db: TestDatabase | undefined;
  let engine: Engine | undefined;
  let ownerId: string | undefined;
  const runs: StepRun[] = [];
  const registry = new PipelineRegistry();
  registry.register(createTestPipeline({ steps: STEPS, runs }));

  before(async () => {
    if (skip) return;
    db = await createTestDatabase(dialect);
    engine = await createEngine({ database: db.database, log, backoff: { baseMs: 20, maxMs: 100 } });
    ({ ownerId } = await seedDocuments(db.database, 0));
  });
  after(async () => {
    if (skip) return;
    await engine?.close();
    await db?.drop();
  });

  const harness: QueueHarness = {
    skip,
    get db() {
      return db!;
    },
    get engine() {
      return engine!;
    },
    get ownerId() {
      return ownerId!;
    },
    runs,
    registry,
    newDocument: async () => (await seedDocuments(db!.database, 1, ownerId)).documentIds[0]!,
    enqueue: async (script = {}, extra = {}) =>
      engine!.queue.enqueue({
        documentId: await harness.newDocument(),
        ownerId: ownerId!,
        pipeline: "test",
        options: options(script),
        plan: STEPS,
        ...extra,
      }),
    worker: (extra = {}) =>
      new Worker({
        queue: engine!.queue,
        registry,
        notifier: engine!.notifier,
        log,
        concurrency: 2,
        leaseMs: 2_000,
        pollMs: 200,
        cancelPollMs: 100,
        ...extra,
      }),
  };
  return harness;
}
