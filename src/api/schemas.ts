import { z } from "zod";
import { DOCUMENT_STATUSES, JOB_STATUSES, OUTPUT_FORMATS, STEP_STATUSES } from "../domain/types.js";
import { DOCUMENT_SORTS } from "../documents/document-service.js";
import { MAX_BATCH } from "../jobs/job-service.js";
import { SubmitOptionsShape } from "../jobs/options.js";

/** Request and response schemas: they validate requests, serialise responses and generate /api/openapi.json. */

const Id = z.string().min(1).max(100);
const Time = z.string().describe("ISO 8601 UTC");
const ErrorInfo = z.object({ code: z.string(), message: z.string() }).nullable();

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .describe("application/problem+json");

export const Pagination = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
};

export const IdParams = z.object({ id: Id });

// ---------------------------------------------------------------- accounts

export const Credentials = z.strictObject({ email: z.email().max(320), password: z.string().min(1).max(1024) });
export const SetupBody = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(8, "at least 8 characters").max(1024),
});
export const SetupState = z.object({ setup_required: z.boolean() });
export const UserSchema = z.object({
  id: Id,
  email: z.string(),
  role: z.enum(["user", "admin"]),
  disabled: z.boolean(),
  created_at: Time,
});
export const MeSchema = UserSchema.extend({ csrf_token: z.string().nullable().optional() });
export const LoginResponse = z.object({
  token: z.string(),
  user: UserSchema,
  csrf_token: z.string(),
  expires_at: Time,
});
export const TokenBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export const TokenInfo = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  created_at: Time,
  last_used_at: Time.nullable(),
});
export const TokenCreated = TokenInfo.extend({ token: z.string().describe("shown once") });
export const TokenList = z.object({ items: z.array(TokenInfo), total: z.number().int() });
export const CreateUserBody = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(8, "at least 8 characters").max(1024),
  role: z.enum(["user", "admin"]).default("user"),
});
export const PatchUserBody = z.strictObject({
  disabled: z.boolean().optional(),
  role: z.enum(["user", "admin"]).optional(),
});
export const UserList = z.object({
  items: z.array(UserSchema),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
});

// ---------------------------------------------------------------- documents and jobs

export const StatusSchema = z.object({
  status: z.enum(DOCUMENT_STATUSES),
  phase: z.string().nullable(),
  step: z.number().int(),
  total_steps: z.number().int(),
  percentage: z.number(),
  message: z.string().nullable(),
  elapsed_ms: z.number(),
  error: ErrorInfo,
  can_cancel: z.boolean(),
  can_retry: z.boolean(),
  version: z.number().int(),
  display: z
    .object({ label: z.string(), color: z.string().describe("#rrggbb") })
    .optional()
    .describe("the status's label in the Accept-Language (en, pl) and its colour, for clients that draw it"),
});

export const DocumentSchema = z.object({
  id: Id,
  filename: z.string(),
  safe_filename: z.string(),
  mime_type: z.string(),
  size_bytes: z.number().int(),
  sha256: z.string(),
  num_pages: z.number().int().nullable(),
  created_at: Time,
  updated_at: Time,
  latest_job_id: Id.nullable(),
  status: z.enum(DOCUMENT_STATUSES),
});

const count = z.number().int();
const StepCounts = z.object({
  total: count,
  pending: count,
  in_progress: count,
  success: count,
  failure: count,
  skipped: count,
  cancelled: count,
});

export const JobSchema = z.object({
  id: Id,
  document_id: Id.nullable().describe("null for a collection job (the compile stage)"),
  collection_id: Id.nullable().optional().describe("the collection of a collection job"),
  batch_id: Id.nullable(),
  pipeline: z.string(),
  status: z.enum(JOB_STATUSES),
  ocr_mode: z.string(),
  resolution_mode: z.string(),
  priority: z.number().int(),
  languages: z.array(z.string()),
  outputs: z.array(z.string()),
  ocr: z.string(),
  extract: z.string().describe("field extraction: auto, invoice, receipt or off"),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  progress: z.object({
    percentage: z.number(),
    step: z.number().int(),
    total_steps: z.number().int(),
    phase: z.string().nullable(),
    message: z.string().nullable(),
  }),
  steps: z.array(
    z.object({
      name: z.string(),
      status: z.enum(STEP_STATUSES),
      started_at: Time.nullable(),
      completed_at: Time.nullable(),
      attempts: z.number().int(),
      error: ErrorInfo,
    }),
  ),
  error: ErrorInfo,
  step_summary: z
    .object({ pipeline: StepCounts, delivery: StepCounts })
    .describe("the steps counted by status, pipeline steps apart from delivery steps (deliver:*)"),
  cancel_requested: z.boolean(),
  can_cancel: z.boolean(),
  can_retry: z.boolean(),
  created_at: Time,
  started_at: Time.nullable(),
  completed_at: Time.nullable(),
  version: z.number().int(),
});

export const EventSchema = z.object({
  id: z.string(),
  job_id: Id,
  document_id: Id,
  step: z.string().nullable(),
  status: z.string(),
  message: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  created_at: Time,
});

export const UploadResponse = z.object({ document: DocumentSchema, duplicate: z.boolean(), job: JobSchema.nullable() });
export const DocumentList = z.object({
  items: z.array(DocumentSchema),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
});
export const DocumentListQuery = z.object({
  ...Pagination,
  status: z.enum(DOCUMENT_STATUSES).optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(DOCUMENT_SORTS).default("-created_at"),
});
export const WaitQuery = z.object({ wait: z.coerce.number().min(0).max(60, "at most 60 seconds").optional() });
export const History = z.object({ items: z.array(EventSchema) });

export const SubmitBody = z.strictObject({ document_id: Id, ...SubmitOptionsShape });
export const BatchBody = z.strictObject({
  document_ids: z.array(Id).min(1, "at least 1 document").max(MAX_BATCH, `at most ${MAX_BATCH} documents`),
  ...SubmitOptionsShape,
});
export const BatchCreated = z.object({
  batch_id: Id,
  jobs: z.array(JobSchema),
  skipped: z
    .array(
      z.object({
        document_id: Id,
        reason: z.enum(["job_active"]),
        job_id: Id.nullable().describe("the document's active job"),
        message: z.string(),
      }),
    )
    .describe("documents not submitted because they already have an active job (one active job per document)"),
});
export const JobListQuery = z.object({
  ...Pagination,
  status: z.enum(JOB_STATUSES).optional(),
  document_id: Id.optional(),
  batch_id: Id.optional(),
});
export const JobList = z.object({
  items: z.array(JobSchema),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
});
export const PollQuery = z.object({
  version: z.coerce.number().int().min(0).optional(),
  wait: z.coerce.number().min(0).max(60, "at most 60 seconds").optional(),
});
export const ResultSchema = z.object({
  job_id: Id,
  document_id: Id,
  text: z.string().nullable(),
  markdown: z.string().nullable(),
  confidence: z.number().nullable(),
  processing_time_ms: z.number().nullable(),
  num_pages: z.number().int().nullable(),
  formats: z.array(
    z.object({ format: z.string(), mime_type: z.string(), size_bytes: z.number().int(), url: z.string() }),
  ),
  fields: z
    .unknown()
    .nullable()
    .describe("the extracted fields, as GET /api/v1/documents/:id/fields; null when the job extracted none"),
});
export const FormatParams = z.object({ id: Id, format: z.enum(OUTPUT_FORMATS) });
const Counts = z.object(
  Object.fromEntries(JOB_STATUSES.map((s) => [s, z.number().int()])) as Record<
    (typeof JOB_STATUSES)[number],
    z.ZodNumber
  >,
);
export const BatchSchema = z.object({
  id: Id,
  total: z.number().int(),
  counts: Counts,
  percentage: z.number(),
  created_at: Time,
  jobs: z.array(JobSchema),
});
export const EventsQuery = z.object({
  document_id: Id.optional(),
  job_id: Id.optional(),
  batch_id: Id.optional(),
  collection_id: Id.optional().describe("a collection's events: its documents' and its collection jobs'"),
  last_event_id: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional()
    .describe("for clients that cannot send the Last-Event-ID header"),
});

export const problemResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ProblemSchema]));
