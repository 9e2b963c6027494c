import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DocumentService } from "../../documents/document-service.js";
import type { IngestRequest, IngestService } from "../../documents/ingest-service.js";
import { DocketError } from "../../errors.js";
import { malformedMultipart } from "../../intake/multipart-errors.js";
import type { StoredUpload } from "../../intake/store-upload.js";
import type { LiveService } from "../../live/live-service.js";
import { formFieldsToOptions, SubmitOptionsSchema, type SubmitOptions } from "../../jobs/options.js";
import { displayLanguage, statusDisplay } from "../../jobs/status-display.js";
import { longPollSignal, principalOf, scopeOf } from "../auth.js";
import { IdempotencyStore } from "../idempotency.js";
import { HttpProblem } from "../problem.js";
import {
  DocumentList,
  DocumentListQuery,
  DocumentSchema,
  History,
  IdParams,
  problemResponses,
  StatusSchema,
  UploadResponse,
  WaitQuery,
} from "../schemas.js";

export interface DocumentRoutesOptions {
  documents: DocumentService;
  /** The upload's use case (shared with the CLI's local `docket add`). */
  ingest: IngestService;
  live: LiveService;
  idempotency: IdempotencyStore;
  maxUploadBytes: number;
  uploadPerMinute: number;
}

/** RFC 6266 Content-Disposition: an ASCII fallback plus the UTF-8 name. */
export function contentDisposition(kind: "attachment" | "inline", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_") || "download";
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const parseEtag = (header: string | string[] | undefined): string | null => {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const m = /^\s*(?:W\/)?"?([^",\s]*)"?/.exec(value);
  return m?.[1] ?? null;
};

const PROCESS_VALUES = new Map([
  ["true", true],
  ["1", true],
  ["yes", true],
  ["false", false],
  ["0", false],
  ["no", false],
  ["", false],
]);

export function documentRoutes(app: FastifyInstance, o: DocumentRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["documents"];

  r.post(
    "/api/v1/documents/upload",
    {
      config: { rateLimit: { max: o.uploadPerMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: "Upload a file (multipart field `file`); optional `process=true` and submit options as form fields",
        consumes: ["multipart/form-data"],
        response: { 200: UploadResponse, 201: UploadResponse, ...problemResponses(400, 401, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => upload(request, reply, o),
  );

  r.get(
    "/api/v1/documents",
    {
      schema: {
        tags,
        summary: "List documents",
        querystring: DocumentListQuery,
        response: { 200: DocumentList, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { page, page_size, status, q, sort } = request.query;
      const result = await o.documents.list(scopeOf(request), { page, pageSize: page_size, status, q, sort });
      return { ...result, page, page_size };
    },
  );

  r.get(
    "/api/v1/documents/:id",
    {
      schema: {
        tags,
        summary: "One document",
        params: IdParams,
        response: { 200: DocumentSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => (await o.documents.toJson([await o.documents.get(scopeOf(request), request.params.id)]))[0]!,
  );

  r.get(
    "/api/v1/documents/:id/status",
    {
      schema: {
        tags,
        summary:
          "The unified status; ETag = version; ?wait=<s> with If-None-Match long-polls until it changes (304 if it does not)",
        params: IdParams,
        querystring: WaitQuery,
        response: { 200: StatusSchema, 304: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = request.params.id;
      const known = parseEtag(request.headers["if-none-match"]);
      let status = await o.documents.status(scope, id);
      if (known !== null && String(status.version) === known && request.query.wait) {
        const filter = await o.live.feedFilter(scope, { documentId: id });
        const poll = longPollSignal(request);
        try {
          status = (
            await o.live.waitFor(
              filter,
              () => o.documents.status(scope, id),
              (s) => String(s.version) !== known,
              request.query.wait * 1000,
              poll.signal,
            )
          ).value;
        } finally {
          poll.finish();
        }
      }
      reply.header("etag", `"${status.version}"`).header("cache-control", "no-cache").header("vary", "Accept-Language");
      if (known !== null && String(status.version) === known) return reply.code(304).send(null);
      return { ...status, display: statusDisplay(status.status, displayLanguage(request.headers["accept-language"])) };
    },
  );

  r.get(
    "/api/v1/documents/:id/history",
    {
      schema: {
        tags,
        summary: "Every event of the document, oldest first",
        params: IdParams,
        response: { 200: History, ...problemResponses(401, 404) },
      },
    },
    async (request) => ({ items: await o.documents.history(scopeOf(request), request.params.id) }),
  );

  r.get(
    "/api/v1/documents/:id/file",
    { schema: { tags, summary: "The original bytes", params: IdParams, response: problemResponses(401, 404) } },
    async (request, reply) => {
      const { row, stream } = await o.documents.file(scopeOf(request), request.params.id);
      return reply
        .type(row.mime_type)
        .header("content-length", String(row.size_bytes))
        .header("content-disposition", contentDisposition("attachment", row.safe_filename))
        .header("x-content-type-options", "nosniff")
        .send(stream as never);
    },
  );

  r.delete(
    "/api/v1/documents/:id",
    {
      schema: {
        tags,
        summary: "Soft delete; active jobs are cancelled",
        params: IdParams,
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await o.documents.delete(scopeOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

async function upload(request: FastifyRequest, reply: FastifyReply, o: DocumentRoutesOptions) {
  const principal = principalOf(request);
  const scope = scopeOf(request);
  const key = IdempotencyStore.keyOf(request);
  if (!request.isMultipart()) {
    throw new HttpProblem(
      415,
      "unsupported_media_type",
      "upload with Content-Type multipart/form-data and the file in the field `file`",
    );
  }
  const aborted = new AbortController();
  const onClose = () => {
    if (!request.raw.complete)
      aborted.abort(new DocketError("validation_error", "the client went away during the upload"));
  };
  request.raw.once("close", onClose);
  const fields = new Map<string, string[]>();
  let stored: StoredUpload | null = null;
  try {
    const parts = request.parts({
      limits: { fileSize: o.maxUploadBytes + 1, files: 1, fields: 20, fieldSize: 10_000, parts: 25 },
    });
    for await (const part of parts) {
      if (part.type === "file") {
        if (part.fieldname !== "file") {
          part.file.resume();
          throw new DocketError(
            "validation_error",
            `unexpected file field "${part.fieldname}"; send the file in the field "file"`,
            { details: { fields: [part.fieldname] } },
          );
        }
        // Fields sent before the file are checked before a byte is stored (clients that put
        // the options first, like the web UI and the CLI, never store a refused upload).
        try {
          o.ingest.check(parseUploadFields(fields));
        } catch (error) {
          part.file.resume();
          throw error;
        }
        stored = await o.ingest.store(principal.user.id, part.file, part.filename || null, aborted.signal);
      } else {
        const value = typeof part.value === "string" ? part.value : String(part.value);
        fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), value]);
      }
    }
  } catch (error) {
    if (stored) await o.ingest.discard(stored);
    throw malformedMultipart(error) ?? error;
  } finally {
    request.raw.off("close", onClose);
  }
  if (!stored) throw new DocketError("no_file", 'no file was uploaded: send it in the multipart field "file"');
  let form: IngestRequest;
  try {
    form = parseUploadFields(fields);
    o.ingest.check(form);
  } catch (error) {
    await o.ingest.discard(stored);
    throw error;
  }

  const requestHash = IdempotencyStore.hash("upload", {
    sha256: stored.sha256,
    filename: stored.originalFilename,
    process: form.process,
    options: form.options,
  });
  if (key) {
    let previous;
    try {
      previous = await o.idempotency.lookup(principal.user.id, key, requestHash);
    } catch (error) {
      // The key was used for another request (another file): this file is never recorded.
      await o.ingest.discard(stored);
      throw error;
    }
    if (previous) return reply.code(previous.status).header("idempotent-replayed", "true").send(previous.body);
  }

  const body = await o.ingest.record(scope, stored, form);
  const status = body.duplicate ? 200 : 201;
  if (key) {
    const saved = await o.idempotency.save(principal.user.id, key, requestHash, { status, body });
    // A concurrent first use committed first: its response answers this request too.
    if (saved.body !== body) void reply.header("idempotent-replayed", "true");
    return reply.code(saved.status).send(saved.body);
  }
  return reply.code(status).send(body);
}

/** The upload's form fields as `process` and submit options; throws a 400 naming each bad field. */
function parseUploadFields(fields: ReadonlyMap<string, string[]>): { process: boolean; options: SubmitOptions } {
  const processValue = (fields.get("process")?.at(-1) ?? "false").trim().toLowerCase();
  const process = PROCESS_VALUES.get(processValue);
  if (process === undefined) {
    throw new DocketError("validation_error", "process must be true or false", { details: { fields: ["process"] } });
  }
  const parsed = SubmitOptionsSchema.safeParse(formFieldsToOptions(fields));
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => {
      const keys = (i as { keys?: string[] }).keys;
      return keys
        ? { field: keys.join(", "), message: `unknown field${keys.length > 1 ? "s" : ""}: ${keys.join(", ")}` }
        : { field: i.path.map(String).join(".") || "form", message: i.message };
    });
    throw new HttpProblem(400, "validation_error", errors.map((e) => `${e.field}: ${e.message}`).join("; "), {
      errors,
    });
  }
  return { process, options: parsed.data };
}
