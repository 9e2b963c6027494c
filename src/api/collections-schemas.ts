import { z } from "zod";
import { DOCUMENT_STATUSES } from "../domain/types.js";
import { COMPILE_OUTPUTS } from "../collections/compile/outputs.js";
import { SubmitOptionsShape } from "../jobs/options.js";
import { JobSchema, Pagination } from "./schemas.js";

/** Schemas of the collection routes (API.md v1.1 "Collections: work in stages"). */

const Id = z.string().min(1).max(100);
const Time = z.string().describe("ISO 8601 UTC");

export const CollectionSchema = z.object({
  id: Id,
  name: z.string(),
  document_ids: z.array(Id).describe("in collection order"),
  created_at: Time,
  updated_at: Time,
  version: z.number().int(),
});
export const CollectionList = z.object({
  items: z.array(CollectionSchema),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
});
export const CollectionListQuery = z.object({ ...Pagination });
export const CreateCollectionBody = z.strictObject({ name: z.string().trim().min(1).max(200) });
export const AddDocumentsBody = z.strictObject({ document_ids: z.array(Id).min(1).max(500) });
export const MemberParams = z.object({ id: Id, document_id: Id });
export const ProcessBody = z.strictObject({ ...SubmitOptionsShape });
export const CompileBody = z.strictObject({
  outputs: z.array(z.enum(COMPILE_OUTPUTS)).min(1).max(COMPILE_OUTPUTS.length).optional().describe("default all"),
});
export const ResultParams = z.object({ id: Id, format: z.enum(COMPILE_OUTPUTS) });

export const CollectionJobSchema = JobSchema.extend({
  document_id: z.null(),
  collection_id: Id,
});

export const ProcessResponse = z.object({
  batch_id: Id.nullable().describe("null when every document was skipped"),
  jobs: z.array(JobSchema),
  skipped: z.array(
    z.object({
      document_id: Id,
      reason: z.enum(["job_active", "completed", "manual_review"]),
      job_id: Id.nullable(),
      message: z.string(),
    }),
  ),
});

const Counts = z.record(z.enum(DOCUMENT_STATUSES), z.number().int());

export const CollectionStatusSchema = z.object({
  stages: z.tuple([
    z.object({
      name: z.literal("process"),
      status: z.enum(["empty", "pending", "processing", "completed", "attention"]),
      total: z.number().int(),
      counts: Counts,
      percentage: z.number(),
    }),
    z.object({
      name: z.literal("compile"),
      status: z.enum(["locked", "ready", "queued", "processing", "completed", "failed", "cancelled"]),
      locked: z.boolean(),
      reason: z.string().nullable(),
      blocking: z.array(z.object({ document_id: Id, filename: z.string(), status: z.enum(DOCUMENT_STATUSES) })),
      job: CollectionJobSchema.nullable(),
    }),
  ]),
  progress: z.object({
    phase_index: z.number().int(),
    phase_total: z.number().int(),
    phase: z.enum(["process", "compile"]),
    percentage: z.number(),
    elapsed_ms: z.number(),
    message: z.string(),
  }),
  version: z.number().int(),
});
