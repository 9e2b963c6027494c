import type { Writable } from "node:stream";
import type { BlobStore } from "../../blob/blob-store.js";
import type { Database } from "../../db/database.js";
import type { JobOptions } from "../../domain/types.js";
import type { PipelineDefinition, StepContext, StepHandler, StepResult } from "../../engine/pipeline.js";
import { DocketError } from "../../errors.js";
import type { ReviewThresholds } from "../../extraction/types.js";
import { compileMembers } from "./compile-source.js";
import { writeFieldsCsv, writeFieldsXlsx } from "./fields-table.js";
import type { CompileMember } from "./member.js";
import { writeMergedPdf } from "./merged-pdf.js";
import { COMPILE_MIME, COMPILE_OUTPUTS, COMPILE_STEP, compileFileName, type CompileOutput } from "./outputs.js";
import { writeOutputsZip } from "./outputs-zip.js";
import { summarize, writeSummary } from "./summary.js";
import { buildIntoBlob } from "./to-blob.js";

/** The pipeline of a collection job (the compile stage). */
export const COMPILE_PIPELINE = "collection-compile";

/** What a collection job's options carry: the members as they were when compile was asked for. */
export interface CompileJobOptions {
  collection_id: string;
  collection_name: string;
  member_ids: string[];
  compile_outputs: CompileOutput[];
}

export function compileOptionsOf(options: JobOptions): CompileJobOptions {
  const o = options as unknown as Partial<CompileJobOptions>;
  if (typeof o.collection_id !== "string" || !Array.isArray(o.member_ids))
    throw new DocketError("internal_error", "a collection job without its collection in the options", {
      permanent: true,
    });
  return {
    collection_id: o.collection_id,
    collection_name: o.collection_name ?? "collection",
    member_ids: o.member_ids,
    compile_outputs: o.compile_outputs ?? [...COMPILE_OUTPUTS],
  };
}

export function planCompile(outputs: readonly CompileOutput[]): string[] {
  return COMPILE_OUTPUTS.filter((o) => outputs.includes(o)).map((o) => COMPILE_STEP[o]);
}

export interface CompilePipelineDeps {
  database: Database;
  blobStore: BlobStore;
  thresholds: ReviewThresholds;
}

/**
 * One step per output, each a streaming builder over the members (read a page at a time),
 * writing its file into the step's workspace and recording it as the job's artifact when the
 * step succeeds. Steps are independent, so a retry resumes at the failed one, and a cancelled
 * step's partial file goes with its workspace.
 */
export function createCompilePipeline(deps: CompilePipelineDeps): PipelineDefinition {
  const outputOf = new Map(COMPILE_OUTPUTS.map((o) => [COMPILE_STEP[o], o]));

  const run =
    (output: CompileOutput): StepHandler =>
    async (ctx: StepContext): Promise<StepResult> => {
      const options = compileOptionsOf(ctx.options);
      const total = options.member_ids.length;
      /** The members, with progress reported as each is consumed and the job's signal honoured. */
      async function* members(): AsyncGenerator<CompileMember> {
        let done = 0;
        for await (const m of compileMembers(deps.database, deps.thresholds, options.member_ids)) {
          if (ctx.signal.aborted) throw ctx.signal.reason ?? new DocketError("cancelled", "cancelled");
          yield m;
          ctx.progress(++done, total, `${output.toUpperCase()}: document ${done} of ${total}`);
        }
      }
      const fileName = compileFileName(options.collection_name, output);
      const key = `${ctx.workspace}${fileName}`;
      const build = async (out: Writable): Promise<Record<string, unknown>> => {
        switch (output) {
          case "pdf": {
            const report = await writeMergedPdf(
              (async function* () {
                for await (const m of members())
                  yield {
                    title: m.filename,
                    load: async () => {
                      const pdf = m.artifacts.find((a) => a.kind === "pdf");
                      if (pdf)
                        return { bytes: await deps.blobStore.getBuffer(pdf.blobKey), mimeType: "application/pdf" };
                      // No searchable PDF among the outputs: the original, when it can be placed.
                      return { bytes: await deps.blobStore.getBuffer(m.blobKey), mimeType: m.mimeType };
                    },
                  };
              })(),
              out,
              { signal: ctx.signal },
            );
            return { ...report };
          }
          case "csv":
            return { rows: await writeFieldsCsv(members(), out) };
          case "xlsx":
            return { rows: await writeFieldsXlsx(members(), out) };
          case "zip":
            return await writeOutputsZip(members(), out, (k) => deps.blobStore.get(k), { signal: ctx.signal });
          case "json": {
            const summary = await summarize({ id: options.collection_id, name: options.collection_name }, members());
            await writeSummary(summary, out);
            return { documents: summary.counts.documents, currencies: summary.totals_by_currency.length };
          }
        }
      };
      const { result, size } = await buildIntoBlob(deps.blobStore, key, build);
      return {
        detail: result,
        artifacts: [{ kind: output, blobKey: key, mimeType: COMPILE_MIME[output], sizeBytes: size }],
      };
    };

  return {
    name: COMPILE_PIPELINE,
    plan: (options) => planCompile(compileOptionsOfLoose(options)),
    handler: (step) => {
      const output = outputOf.get(step);
      return output ? run(output) : undefined;
    },
  };
}

/** The plan at submit (and at the composition root's start-up check, with OCR-like options): all outputs by default. */
function compileOptionsOfLoose(options: JobOptions): CompileOutput[] {
  const outputs = (options as { compile_outputs?: unknown }).compile_outputs;
  return Array.isArray(outputs) ? (outputs as CompileOutput[]) : [...COMPILE_OUTPUTS];
}
