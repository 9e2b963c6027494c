import { z } from "zod";
import { DOCUMENT_TYPES, FIELD_NAMES, FIELD_ORIGINS } from "../extraction/types.js";
import { REVIEW_DECISIONS, REVIEW_STATES } from "../fields/fields-types.js";
import { DOCUMENT_STATUSES } from "../domain/types.js";
import { DocumentSchema, Pagination } from "./schemas.js";

/** Schemas of the fields and review routes (API.md v1.1): validation, serialisation and OpenAPI. */

const Box = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .describe("[x0, y0, x1, y1] in the result JSON's page coordinates");
const Source = z.object({ page: z.number().int(), bbox: Box }).nullable();
const Amount = z.string().nullable();

export const FieldSchema = z.object({
  value: z.string().describe("normalised: dates YYYY-MM-DD, amounts 1234.56, ids without spaces, upper case"),
  raw: z.string().describe("as printed"),
  confidence: z.number().min(0).max(1),
  source: Source,
  origin: z.enum(FIELD_ORIGINS),
});

export const FieldsSchema = z.object({
  document_id: z.string(),
  job_id: z.string(),
  document_type: z.enum(DOCUMENT_TYPES),
  type_confidence: z.number(),
  fields: z.partialRecord(z.enum(FIELD_NAMES), FieldSchema),
  line_items: z.array(
    z.object({
      description: z.string(),
      quantity: Amount,
      unit: z.string().nullable(),
      unit_price: Amount,
      net: Amount,
      vat_rate: z.string().nullable(),
      vat: Amount,
      gross: Amount,
      source: Source,
    }),
  ),
  vat_breakdown: z.array(z.object({ rate: z.string(), net: Amount, vat: Amount, gross: Amount })),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), fields: z.array(z.string()), message: z.string() })),
  template: z.string().nullable(),
  needs_review: z.boolean(),
  review_reasons: z.array(z.string()),
  review: z.object({
    state: z.enum(REVIEW_STATES),
    by: z.string().nullable(),
    at: z.string().nullable(),
    note: z.string().nullable(),
  }),
  version: z.number().int(),
});

const FieldChange = z.union([
  z.string().max(2000),
  z.null(),
  z.strictObject({ value: z.string().max(2000).nullable(), source: Source.optional() }),
]);

export const PatchFieldsBody = z.strictObject({
  fields: z
    .record(z.string().max(64), FieldChange)
    .default({})
    .describe("field name → the new value (null clears it); or {value, source} with the box it was read from"),
  document_type: z
    .enum(DOCUMENT_TYPES)
    .optional()
    .describe("a person's correction of the classification (e.g. an `other` that is an invoice)"),
});

export const ReviewBody = z.strictObject({
  decision: z.enum(REVIEW_DECISIONS),
  note: z.string().trim().max(2000).optional(),
});

export const ReviewQueueQuery = z.object({ ...Pagination });
export const ReviewQueue = z.object({
  items: z.array(
    DocumentSchema.extend({
      review_reason: z.string().describe("why a person should look (the status message)"),
      waiting_since: z.string().describe("when the document entered review (its job completed)"),
      document_type: z.enum(DOCUMENT_TYPES).nullable(),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
});
export const FieldsCsvQuery = z.object({
  status: z.enum(DOCUMENT_STATUSES).optional(),
  collection_id: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe("collections arrive with the collections feature; until then any value answers 404"),
});
