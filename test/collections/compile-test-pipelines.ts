/**
 * Pipelines for the compile stage's tests: the API tests' pipeline with a real one-page PDF as
 * each document's searchable PDF, and the real compile pipeline with each step counted and
 * one held (until cancelled) or failed once on request.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { PDFDocument, StandardFonts } from "pdf-lib";
import type { PipelineDefinition } from "../../src/engine/pipeline.js";
import { DocketError } from "../../src/errors.js";

/** What the test makes the compile steps do: hold one step (until cancelled) or fail it once. */
export interface Control {
  hold: string | null;
  failOnce: string | null;
  runs: Map<string, number>;
}

/** The API tests' pipeline, with a real one-page PDF as each document's searchable PDF. */
export function realPdfPipeline(inner: PipelineDefinition, put: (key: string, bytes: Buffer) => Promise<number>) {
  return {
    ...inner,
    handler: (step: string) => {
      const handler = inner.handler(step)!;
      return async (ctx: Parameters<typeof handler>[0]) => {
        const result = await handler(ctx);
        for (const artifact of result?.artifacts ?? []) {
          if (artifact.kind !== "pdf") continue;
          const doc = await PDFDocument.create();
          const font = await doc.embedFont(StandardFonts.Helvetica);
          doc.addPage([200, 200]).drawText(`Document ${ctx.documentId}`, { x: 10, y: 100, size: 8, font });
          artifact.sizeBytes = await put(artifact.blobKey, Buffer.from(await doc.save()));
        }
        return result;
      };
    },
  } satisfies PipelineDefinition;
}

/** The real compile pipeline, each step counted, one held or failed on request. */
export function controlledCompile(
  inner: PipelineDefinition,
  control: Control,
  put: (key: string, b: Buffer) => Promise<number>,
) {
  return {
    ...inner,
    handler: (step: string) => {
      const handler = inner.handler(step);
      if (!handler) return undefined;
      return async (ctx: Parameters<typeof handler>[0]) => {
        control.runs.set(step, (control.runs.get(step) ?? 0) + 1);
        if (control.failOnce === step) {
          control.failOnce = null;
          throw new DocketError("internal_error", `${step} failed on purpose`, { permanent: true });
        }
        if (control.hold === step) {
          // A partial output in the step's workspace, then wait for the cancel.
          await put(`${ctx.workspace}partial.bin`, Buffer.from("half an archive"));
          await sleep(60_000, undefined, { signal: ctx.signal });
        }
        return handler(ctx);
      };
    },
  } satisfies PipelineDefinition;
}
