import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { WebhookService } from "../../webhooks/webhook-service.js";
import { scopeOf } from "../auth.js";
import {
  CreateWebhookBody,
  DeliveryParams,
  PatchWebhookBody,
  WebhookDeliveryList,
  WebhookList,
  WebhookSchema,
} from "../destination-schemas.js";
import { IdParams, Pagination, problemResponses } from "../schemas.js";

/** Event webhooks (API.md "Destinations and webhooks"): subscriptions, their delivery log, redeliver. */
export function webhookRoutes(app: FastifyInstance, o: { webhooks: WebhookService }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["webhooks"];

  r.post(
    "/api/v1/webhooks",
    {
      schema: {
        tags,
        summary: "Subscribe a URL to events; requests are signed with the secret (Docket-Signature)",
        body: CreateWebhookBody,
        response: { 201: WebhookSchema, ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => reply.code(201).send(await o.webhooks.create(scopeOf(request), request.body)),
  );

  r.get(
    "/api/v1/webhooks",
    {
      schema: { tags, summary: "Your webhook subscriptions", response: { 200: WebhookList, ...problemResponses(401) } },
    },
    async (request) => {
      const items = await o.webhooks.list(scopeOf(request));
      return { items, total: items.length };
    },
  );

  r.get(
    "/api/v1/webhooks/:id",
    {
      schema: {
        tags,
        summary: "A subscription",
        params: IdParams,
        response: { 200: WebhookSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => o.webhooks.get(scopeOf(request), request.params.id),
  );

  r.patch(
    "/api/v1/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Turn a subscription on (again, after it was disabled) or off",
        params: IdParams,
        body: PatchWebhookBody,
        response: { 200: WebhookSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => o.webhooks.setActive(scopeOf(request), request.params.id, request.body.active),
  );

  r.delete(
    "/api/v1/webhooks/:id",
    {
      schema: {
        tags,
        summary: "Unsubscribe",
        params: IdParams,
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await o.webhooks.remove(scopeOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.get(
    "/api/v1/webhooks/:id/deliveries",
    {
      schema: {
        tags,
        summary: "The delivery log, newest first, with each answer's status code",
        params: IdParams,
        querystring: z.object(Pagination),
        response: { 200: WebhookDeliveryList, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      o.webhooks.deliveries(scopeOf(request), request.params.id, request.query.page, request.query.page_size),
  );

  r.post(
    "/api/v1/webhooks/:id/deliveries/:delivery_id/redeliver",
    {
      schema: {
        tags,
        summary: "Send a delivery again (same Docket-Delivery id)",
        params: DeliveryParams,
        response: { 202: z.object({ id: z.string(), status: z.string() }), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await o.webhooks.redeliver(scopeOf(request), request.params.id, request.params.delivery_id);
      return reply.code(202).send({ id: request.params.delivery_id, status: "pending" });
    },
  );
}
