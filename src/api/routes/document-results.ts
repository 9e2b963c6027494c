import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { JobService } from "../../jobs/job-service.js";
import { scopeOf } from "../auth.js";
import { FormatParams, IdParams, problemResponses, ResultSchema } from "../schemas.js";
import { baseUrl, sendResultFile } from "./result-file.js";

export interface DocumentResultRoutesOptions {
  jobs: JobService;
}

/** Results by document id: the same answers as /ocr/jobs/:id/result[/:format] for the document's latest completed job. */
export function documentResultRoutes(app: FastifyInstance, o: DocumentResultRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["documents"];
  const jobOf = (request: FastifyRequest, id: string) => o.jobs.latestCompletedJobId(scopeOf(request), id);

  r.get(
    "/api/v1/documents/:id/result",
    {
      schema: {
        tags,
        summary: "The result of the document's latest completed job; 409 not_ready while none has completed",
        params: IdParams,
        response: { 200: ResultSchema, ...problemResponses(401, 404, 409) },
      },
    },
    async (request) => o.jobs.result(scopeOf(request), await jobOf(request, request.params.id), baseUrl(request)),
  );

  r.get(
    "/api/v1/documents/:id/result/:format",
    {
      schema: {
        tags,
        summary: "One output file of the document's latest completed job (pdf is the searchable PDF)",
        params: FormatParams,
        response: problemResponses(400, 401, 404, 409),
      },
    },
    async (request, reply) => {
      const { id, format } = request.params;
      return sendResultFile(reply, await o.jobs.resultFile(scopeOf(request), await jobOf(request, id), format), format);
    },
  );
}
