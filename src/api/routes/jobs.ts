import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { isJobActive } from "../../engine/active-job.js";
import type { JobService } from "../../jobs/job-service.js";
import type { LiveService } from "../../live/live-service.js";
import { longPollSignal, principalOf, scopeOf } from "../auth.js";
import { IdempotencyStore } from "../idempotency.js";
import { baseUrl, sendResultFile } from "./result-file.js";
import {
  BatchBody,
  BatchCreated,
  BatchSchema,
  FormatParams,
  IdParams,
  JobList,
  JobListQuery,
  JobSchema,
  PollQuery,
  problemResponses,
  ResultSchema,
  SubmitBody,
} from "../schemas.js";

export interface JobRoutesOptions {
  jobs: JobService;
  live: LiveService;
  idempotency: IdempotencyStore;
}

export function jobRoutes(app: FastifyInstance, o: JobRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["ocr"];

  /** Runs `create` once per (user, Idempotency-Key); repeats get the first response. */
  async function idempotent<T>(
    request: FastifyRequest,
    route: string,
    payload: unknown,
    status: number,
    create: () => Promise<T>,
  ) {
    const key = IdempotencyStore.keyOf(request);
    if (!key) return { status, body: (await create()) as unknown, replayed: false };
    const userId = principalOf(request).user.id;
    const hash = IdempotencyStore.hash(route, payload);
    const previous = await o.idempotency.lookup(userId, key, hash);
    if (previous) return { ...previous, replayed: true };
    let body: T;
    try {
      body = await create();
    } catch (error) {
      // A concurrent first use of this key created the job this one found active: once its
      // response is stored, it answers this request too.
      const first = isJobActive(error) ? await o.idempotency.lookup(userId, key, hash) : null;
      if (first) return { ...first, replayed: true };
      throw error;
    }
    const saved = await o.idempotency.save(userId, key, hash, { status, body });
    // A concurrent first use that committed first answers for both: this one is a replay too.
    return { ...saved, replayed: saved.body !== body };
  }

  /** Sends an idempotent route's result, saying so when it is the first request's response (as uploads do). */
  function sendResult(reply: FastifyReply, result: { status: number; body: unknown; replayed: boolean }) {
    if (result.replayed) void reply.header("idempotent-replayed", "true");
    return reply.code(result.status as 202).send(result.body as never);
  }

  r.post(
    "/api/v1/ocr/submit",
    {
      schema: {
        tags,
        summary: "Submit a document for OCR; 409 job_active if it already has a pending or processing job",
        body: SubmitBody,
        response: { 202: JobSchema, ...problemResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { document_id, ...options } = request.body;
      const result = await idempotent(request, "submit", request.body, 202, () =>
        o.jobs.submit(scopeOf(request), document_id, options),
      );
      return sendResult(reply, result);
    },
  );

  r.post(
    "/api/v1/ocr/batch",
    {
      schema: {
        tags,
        summary:
          "Submit 1–50 documents at once: an unknown id creates nothing; documents with an active job are listed in `skipped` (409 job_active if all are)",
        body: BatchBody,
        response: { 202: BatchCreated, ...problemResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const { document_ids, ...options } = request.body;
      const result = await idempotent(request, "batch", request.body, 202, () =>
        o.jobs.submitBatch(scopeOf(request), document_ids, options),
      );
      // A replay of an answer stored before batches had `skipped` (keys live 24 hours).
      const body = result.body as { skipped?: unknown };
      if (body.skipped === undefined) body.skipped = [];
      return sendResult(reply, result);
    },
  );

  r.get(
    "/api/v1/ocr/jobs",
    {
      schema: {
        tags,
        summary: "List jobs",
        querystring: JobListQuery,
        response: { 200: JobList, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { page, page_size, status, document_id, batch_id } = request.query;
      const result = await o.jobs.list(scopeOf(request), {
        page,
        pageSize: page_size,
        status,
        documentId: document_id,
        batchId: batch_id,
      });
      return { ...result, page, page_size };
    },
  );

  r.get(
    "/api/v1/ocr/jobs/:id",
    {
      schema: {
        tags,
        summary: "One job with its steps and progress",
        params: IdParams,
        response: { 200: JobSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => o.jobs.get(scopeOf(request), request.params.id),
  );

  r.get(
    "/api/v1/ocr/jobs/:id/poll",
    {
      schema: {
        tags,
        summary: "The job as soon as its version differs from ?version, or after ?wait seconds",
        params: IdParams,
        querystring: PollQuery,
        response: { 200: JobSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const scope = scopeOf(request);
      const { id } = request.params;
      const { version, wait } = request.query;
      const job = await o.jobs.get(scope, id);
      if (version === undefined || !wait || job.version !== version) return job;
      const filter = await o.live.feedFilter(scope, { jobId: id });
      const poll = longPollSignal(request);
      try {
        const result = await o.live.waitFor(
          filter,
          () => o.jobs.get(scope, id),
          (j) => j.version !== version,
          wait * 1000,
          poll.signal,
        );
        return result.value;
      } finally {
        poll.finish();
      }
    },
  );

  r.get(
    "/api/v1/ocr/jobs/:id/result",
    {
      schema: {
        tags,
        summary: "The result of a completed job",
        params: IdParams,
        response: { 200: ResultSchema, ...problemResponses(401, 404, 409) },
      },
    },
    async (request) => o.jobs.result(scopeOf(request), request.params.id, baseUrl(request)),
  );

  r.get(
    "/api/v1/ocr/jobs/:id/result/:format",
    {
      schema: {
        tags,
        summary: "One output file (pdf is the searchable PDF)",
        params: FormatParams,
        response: problemResponses(400, 401, 404, 409),
      },
    },
    async (request, reply) => {
      const { id, format } = request.params;
      return sendResultFile(reply, await o.jobs.resultFile(scopeOf(request), id, format), format);
    },
  );

  r.put(
    "/api/v1/ocr/jobs/:id/cancel",
    {
      schema: {
        tags,
        summary: "Cancel: pending at once, processing within 1 s",
        params: IdParams,
        response: { 202: JobSchema, ...problemResponses(401, 404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await o.jobs.cancel(scopeOf(request), request.params.id)),
  );

  r.post(
    "/api/v1/ocr/jobs/:id/retry",
    {
      schema: {
        tags,
        summary:
          "Retry a failed or cancelled job from its first unfinished step; 409 job_active while another job of its document is active",
        params: IdParams,
        response: { 202: JobSchema, ...problemResponses(401, 404, 409) },
      },
    },
    async (request, reply) => reply.code(202).send(await o.jobs.retry(scopeOf(request), request.params.id)),
  );

  r.delete(
    "/api/v1/ocr/jobs/:id",
    {
      schema: {
        tags,
        summary: "Delete a finished job",
        params: IdParams,
        response: { 204: z.null(), ...problemResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await o.jobs.delete(scopeOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.get(
    "/api/v1/batches/:id",
    {
      schema: {
        tags: ["batches"],
        summary: "A batch's jobs and aggregate progress",
        params: IdParams,
        response: { 200: BatchSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => o.jobs.batch(scopeOf(request), request.params.id),
  );
}
