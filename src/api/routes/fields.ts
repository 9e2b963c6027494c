import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { DocketError } from "../../errors.js";
import type { FieldsService } from "../../fields/fields-service.js";
import type { ReviewService } from "../../fields/review-service.js";
import type { CollectionService } from "../../collections/collection-service.js";
import { principalOf, scopeOf } from "../auth.js";
import {
  FieldsCsvQuery,
  FieldsSchema,
  PatchFieldsBody,
  ReviewBody,
  ReviewQueue,
  ReviewQueueQuery,
} from "../fields-schemas.js";
import { IdParams, problemResponses } from "../schemas.js";

export interface FieldRoutesOptions {
  fields: FieldsService;
  review: ReviewService;
  /** The fields table of one collection (`?collection_id=`). */
  collections?: Pick<CollectionService, "fieldsCsv">;
}

/** The version in an If-Match / If-None-Match header: `"12"`, `W/"12"` or `12`. */
export function etagValue(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const m = /^\s*(?:W\/)?"?([^",\s]*)"?/.exec(value);
  return m?.[1] || null;
}

/** Fields, corrections and review (API.md v1.1 "Field extraction"). */
export function fieldRoutes(app: FastifyInstance, o: FieldRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["fields"];
  const who = (request: Parameters<typeof principalOf>[0]) => {
    const { user } = principalOf(request);
    return { userId: user.id, email: user.email };
  };

  r.get(
    "/api/v1/documents/:id/fields",
    {
      schema: {
        tags,
        summary:
          "The document's extracted fields, checks and review state; ETag = version; 409 not_ready while nothing is extracted",
        params: IdParams,
        response: { 200: FieldsSchema, 304: FieldsSchema.nullable(), ...problemResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const fields = await o.fields.get(scopeOf(request), request.params.id);
      reply.header("etag", `"${fields.version}"`).header("cache-control", "no-cache");
      if (etagValue(request.headers["if-none-match"]) === String(fields.version)) return reply.code(304).send(null);
      return fields;
    },
  );

  r.patch(
    "/api/v1/documents/:id/fields",
    {
      schema: {
        tags,
        summary:
          "Correct fields (If-Match: <version> required); changed fields become origin manual, confidence 1, and the checks run again",
        params: IdParams,
        body: PatchFieldsBody,
        response: { 200: FieldsSchema, ...problemResponses(400, 401, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const expected = etagValue(request.headers["if-match"]);
      if (expected === null) {
        throw new DocketError(
          "precondition_required",
          "send If-Match with the fields' version (their ETag) so a correction never overwrites one you have not seen",
        );
      }
      const fields = await o.review.correct(
        scopeOf(request),
        who(request),
        request.params.id,
        expected === "*" ? null : expected,
        request.body.fields,
        request.body.document_type,
      );
      reply.header("etag", `"${fields.version}"`);
      return fields;
    },
  );

  r.post(
    "/api/v1/documents/:id/review",
    {
      schema: {
        tags,
        summary:
          "Approve (status completed) or reject (status failed, error review_rejected; retry allowed); If-Match optional",
        params: IdParams,
        body: ReviewBody,
        response: { 200: FieldsSchema, ...problemResponses(400, 401, 404, 409, 412) },
      },
    },
    async (request, reply) => {
      const expected = etagValue(request.headers["if-match"]);
      const fields = await o.review.decide(
        scopeOf(request),
        who(request),
        request.params.id,
        request.body.decision,
        request.body.note || null,
        expected === "*" ? null : expected,
      );
      reply.header("etag", `"${fields.version}"`);
      return fields;
    },
  );

  r.get(
    "/api/v1/review",
    {
      schema: {
        tags,
        summary: "Documents in manual_review, the longest-waiting first",
        querystring: ReviewQueueQuery,
        response: { 200: ReviewQueue, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { page, page_size } = request.query;
      return { ...(await o.fields.reviewQueue(scopeOf(request), page, page_size)), page, page_size };
    },
  );

  r.get(
    "/api/v1/fields.csv",
    {
      schema: {
        tags,
        summary:
          "One CSV row per document with fields: document_id, filename, document_type, the field names, review_state",
        querystring: FieldsCsvQuery,
        produces: ["text/csv"],
        response: problemResponses(400, 401, 404),
      },
    },
    async (request, reply) => {
      const collectionId = request.query.collection_id;
      if (collectionId !== undefined && !o.collections) throw new DocketError("not_found", "collection not found");
      const stream =
        collectionId !== undefined
          ? await o.collections!.fieldsCsv(scopeOf(request), collectionId, request.query.status)
          : o.fields.csv(scopeOf(request), { status: request.query.status });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="fields.csv"')
        .header("x-content-type-options", "nosniff")
        .send(stream as never);
    },
  );
}
