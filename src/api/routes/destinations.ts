import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Database } from "../../db/database.js";
import { listDeliveries } from "../../destinations/deliveries-view.js";
import type { DestinationService } from "../../destinations/destination-service.js";
import type { JobService } from "../../jobs/job-service.js";
import { scopeOf } from "../auth.js";
import {
  CreateDestinationBody,
  DeliveryList,
  DestinationList,
  DestinationSchema,
  PatchDestinationBody,
  TestResult,
} from "../destination-schemas.js";
import { IdParams, problemResponses } from "../schemas.js";

export interface DestinationRoutesOptions {
  destinations: DestinationService;
  jobs: JobService;
  database: Database;
}

/** Destinations per user (API.md "Destinations and webhooks") and where a job's outputs went. */
export function destinationRoutes(app: FastifyInstance, o: DestinationRoutesOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["destinations"];

  r.post(
    "/api/v1/destinations",
    {
      schema: {
        tags,
        summary: "Add a destination (webhook, folder, s3, webdav); secrets are stored encrypted and never shown",
        body: CreateDestinationBody,
        response: { 201: DestinationSchema, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await o.destinations.create(scopeOf(request), request.body)),
  );

  r.get(
    "/api/v1/destinations",
    { schema: { tags, summary: "Your destinations", response: { 200: DestinationList, ...problemResponses(401) } } },
    async (request) => {
      const items = await o.destinations.list(scopeOf(request));
      return { items, total: items.length };
    },
  );

  r.get(
    "/api/v1/destinations/:id",
    {
      schema: {
        tags,
        summary: "A destination",
        params: IdParams,
        response: { 200: DestinationSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => o.destinations.get(scopeOf(request), request.params.id),
  );

  r.patch(
    "/api/v1/destinations/:id",
    {
      schema: {
        tags,
        summary: "Change a destination; a secret left out or sent back masked keeps its stored value",
        params: IdParams,
        body: PatchDestinationBody,
        response: { 200: DestinationSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => o.destinations.update(scopeOf(request), request.params.id, request.body),
  );

  r.delete(
    "/api/v1/destinations/:id",
    {
      schema: {
        tags,
        summary: "Delete a destination",
        params: IdParams,
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await o.destinations.remove(scopeOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    "/api/v1/destinations/:id/test",
    {
      schema: {
        tags,
        summary: "Check the connection and credentials; `detail` says what failed",
        params: IdParams,
        response: { 200: TestResult, ...problemResponses(401, 404) },
      },
    },
    async (request) => o.destinations.test(scopeOf(request), request.params.id),
  );

  r.get(
    "/api/v1/ocr/jobs/:id/deliveries",
    {
      schema: {
        tags: ["ocr", ...tags],
        summary: "Where each output of the job went: one item per deliver step",
        params: IdParams,
        response: { 200: DeliveryList, ...problemResponses(401, 404) },
      },
    },
    async (request) => ({
      items: await listDeliveries(o.database, await o.jobs.load(scopeOf(request), request.params.id)),
    }),
  );
}
