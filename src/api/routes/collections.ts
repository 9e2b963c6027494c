import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { CollectionService } from "../../collections/collection-service.js";
import type { LiveService } from "../../live/live-service.js";
import { scopeOf } from "../auth.js";
import {
  AddDocumentsBody,
  CollectionJobSchema,
  CollectionList,
  CollectionListQuery,
  CollectionSchema,
  CollectionStatusSchema,
  CompileBody,
  CreateCollectionBody,
  MemberParams,
  ProcessBody,
  ProcessResponse,
  ResultParams,
} from "../collections-schemas.js";
import { IdParams, problemResponses, WaitQuery } from "../schemas.js";
import { contentDisposition } from "./documents.js";

export interface CollectionRoutesOptions {
  collections: CollectionService;
  live: LiveService;
}

const parseEtag = (header: string | string[] | undefined): string | null => {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const m = /^\s*(?:W\/)?"?([^",\s]*)"?/.exec(value);
  return m?.[1] ?? null;
};

/** API.md "Collections: work in stages". Every route is scoped to the caller (another user's collection is 404). */
export function collectionRoutes(app: FastifyInstance, o: CollectionRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["collections"];
  const c = o.collections;

  r.post(
    "/api/v1/collections",
    {
      schema: {
        tags,
        summary: "Create a collection",
        body: CreateCollectionBody,
        response: { 201: CollectionSchema, ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => reply.code(201).send(await c.create(scopeOf(request), request.body.name)),
  );

  r.get(
    "/api/v1/collections",
    {
      schema: {
        tags,
        summary: "List collections",
        querystring: CollectionListQuery,
        response: { 200: CollectionList, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { page, page_size } = request.query;
      return { ...(await c.list(scopeOf(request), page, page_size)), page, page_size };
    },
  );

  r.get(
    "/api/v1/collections/:id",
    {
      schema: {
        tags,
        summary: "One collection",
        params: IdParams,
        response: { 200: CollectionSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => c.get(scopeOf(request), request.params.id),
  );

  r.delete(
    "/api/v1/collections/:id",
    {
      schema: {
        tags,
        summary: "Delete a collection (its documents stay)",
        params: IdParams,
        response: { 204: z.null(), ...problemResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await c.delete(scopeOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    "/api/v1/collections/:id/documents",
    {
      schema: {
        tags,
        summary: "Append documents, in the order given (ids already in stay where they are)",
        params: IdParams,
        body: AddDocumentsBody,
        response: { 200: CollectionSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => c.addDocuments(scopeOf(request), request.params.id, request.body.document_ids),
  );

  r.delete(
    "/api/v1/collections/:id/documents/:document_id",
    {
      schema: {
        tags,
        summary: "Remove a document from the collection (the document stays)",
        params: MemberParams,
        response: { 200: CollectionSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => c.removeDocument(scopeOf(request), request.params.id, request.params.document_id),
  );

  r.post(
    "/api/v1/collections/:id/process",
    {
      schema: {
        tags,
        summary: "The process stage: a job per document with no active or completed job; the others are listed",
        params: IdParams,
        body: ProcessBody,
        response: { 202: ProcessResponse, ...problemResponses(400, 401, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await c.process(scopeOf(request), request.params.id, request.body ?? {})),
  );

  r.post(
    "/api/v1/collections/:id/compile",
    {
      schema: {
        tags,
        summary: "The compile stage: one collection job; 409 stage_locked naming the documents not yet completed",
        params: IdParams,
        body: CompileBody.optional(),
        response: { 202: CollectionJobSchema, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      await c.compile(scope, request.params.id, request.body?.outputs);
      const status = await c.status(scope, request.params.id);
      return reply.code(202).send(status.stages[1].job!);
    },
  );

  r.get(
    "/api/v1/collections/:id/status",
    {
      schema: {
        tags,
        summary: "Both stages; ETag = version; ?wait=<s> with If-None-Match long-polls until it changes (304 if not)",
        params: IdParams,
        querystring: WaitQuery,
        response: { 200: CollectionStatusSchema, 304: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = request.params.id;
      const known = parseEtag(request.headers["if-none-match"]);
      let status = await c.status(scope, id);
      if (known !== null && String(status.version) === known && request.query.wait) {
        // Any event of the owner's may move a member or the compile job: re-read on each, compare versions.
        const filter = await o.live.feedFilter(scope, {});
        const aborted = new AbortController();
        request.raw.once("close", () => aborted.abort());
        status = (
          await o.live.waitFor(
            filter,
            () => c.status(scope, id),
            (s) => String(s.version) !== known,
            request.query.wait * 1000,
            aborted.signal,
          )
        ).value;
      }
      reply.header("etag", `"${status.version}"`).header("cache-control", "no-cache");
      if (known !== null && String(status.version) === known) return reply.code(304).send(null);
      return status;
    },
  );

  r.get(
    "/api/v1/collections/:id/result/:format",
    {
      schema: {
        tags,
        summary: "An output of the compile stage: pdf, csv, xlsx, zip or json; 409 not_ready",
        params: ResultParams,
        response: problemResponses(400, 401, 404, 409),
      },
    },
    async (request, reply) => {
      const file = await c.resultFile(scopeOf(request), request.params.id, request.params.format);
      return reply
        .type(file.mimeType)
        .header("content-length", String(file.size))
        .header("content-disposition", contentDisposition("attachment", file.fileName))
        .header("x-content-type-options", "nosniff")
        .send(file.stream as never);
    },
  );
}
