import { z } from "zod";
import { DESTINATION_KINDS } from "../destinations/destination-types.js";
import { WEBHOOK_EVENTS } from "../webhooks/webhook-events.js";

/** Request and response schemas of the destination and webhook routes (API.md "Destinations and webhooks"). */

const Time = z.string().describe("ISO 8601 UTC");

export const DestinationSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(DESTINATION_KINDS),
  config: z.record(z.string(), z.unknown()).describe("the kind's settings; secrets shown masked as ********"),
  is_default: z.boolean(),
  created_at: Time,
});

export const DestinationList = z.object({ items: z.array(DestinationSchema), total: z.number().int() });

// The config is checked against its kind by the service (one message listing every problem).
export const CreateDestinationBody = z.strictObject({
  name: z.string().max(200),
  kind: z.enum(DESTINATION_KINDS),
  config: z.record(z.string(), z.unknown()),
  is_default: z.boolean().optional(),
});

export const PatchDestinationBody = z.strictObject({
  name: z.string().max(200).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  is_default: z.boolean().optional(),
});

export const TestResult = z.object({ ok: z.boolean(), detail: z.string() });

export const DeliveryList = z.object({
  items: z.array(
    z.object({
      destination_id: z.string().nullable(),
      step: z.string(),
      status: z.string(),
      attempts: z.number().int(),
      last_error: z.object({ code: z.string(), message: z.string() }).nullable(),
      delivered_at: Time.nullable(),
      location: z.string().nullable(),
    }),
  ),
});

export const WebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  disabled_reason: z.string().nullable(),
  disabled_at: Time.nullable(),
  created_at: Time,
});

export const WebhookList = z.object({ items: z.array(WebhookSchema), total: z.number().int() });

export const CreateWebhookBody = z.strictObject({
  url: z.string().max(2000),
  secret: z.string().min(8, "at least 8 characters").max(500),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
});

export const PatchWebhookBody = z.strictObject({ active: z.boolean() });

export const WebhookDeliveryList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      event: z.string(),
      status: z.enum(["pending", "retrying", "delivered", "failed"]),
      attempts: z.number().int(),
      response_status: z.number().int().nullable(),
      last_error: z.string().nullable(),
      next_attempt_at: Time.nullable(),
      delivered_at: Time.nullable(),
      created_at: Time,
    }),
  ),
  total: z.number().int(),
});

export const DeliveryParams = z.object({ id: z.string().min(1).max(100), delivery_id: z.string().min(1).max(100) });
