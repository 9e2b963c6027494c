import type { ApiClient } from "../api/client";

/** The destination and webhook routes' shapes (API.md "Destinations and webhooks"). */
export const DESTINATION_KINDS = ["webhook", "folder", "s3", "webdav"] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

export const WEBHOOK_EVENTS = [
  "job.completed",
  "job.failed",
  "document.manual_review",
  "collection.completed",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What a stored secret looks like in answers; sending it back keeps the stored value. */
export const SECRET_MASK = "********";

export interface Destination {
  id: string;
  name: string;
  kind: DestinationKind;
  config: Record<string, unknown>;
  is_default: boolean;
  created_at: string;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  created_at: string;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  status: "pending" | "retrying" | "delivered" | "failed";
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

const enc = encodeURIComponent;

export const deliveryApi = {
  destinations: async (api: ApiClient) => (await api.request<{ items: Destination[] }>("GET", "/destinations")).items,
  createDestination: (
    api: ApiClient,
    body: { name: string; kind: DestinationKind; config: Record<string, unknown>; is_default: boolean },
  ) => api.request<Destination>("POST", "/destinations", { json: body }),
  updateDestination: (api: ApiClient, id: string, patch: { is_default?: boolean }) =>
    api.request<Destination>("PATCH", `/destinations/${enc(id)}`, { json: patch }),
  deleteDestination: (api: ApiClient, id: string) => api.request<void>("DELETE", `/destinations/${enc(id)}`),
  testDestination: (api: ApiClient, id: string) =>
    api.request<{ ok: boolean; detail: string }>("POST", `/destinations/${enc(id)}/test`),
  webhooks: async (api: ApiClient) => (await api.request<{ items: Webhook[] }>("GET", "/webhooks")).items,
  createWebhook: (api: ApiClient, body: { url: string; secret: string; events: WebhookEvent[] }) =>
    api.request<Webhook>("POST", "/webhooks", { json: body }),
  setWebhookActive: (api: ApiClient, id: string, active: boolean) =>
    api.request<Webhook>("PATCH", `/webhooks/${enc(id)}`, { json: { active } }),
  deleteWebhook: (api: ApiClient, id: string) => api.request<void>("DELETE", `/webhooks/${enc(id)}`),
  webhookDeliveries: async (api: ApiClient, id: string) =>
    (await api.request<{ items: WebhookDelivery[] }>("GET", `/webhooks/${enc(id)}/deliveries?page_size=20`)).items,
  redeliver: (api: ApiClient, id: string, deliveryId: string) =>
    api.request<void>("POST", `/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`),
};

export const deliveryKeys = {
  destinations: ["destinations"] as const,
  webhooks: ["webhooks"] as const,
  webhookDeliveries: (id: string) => ["webhook-deliveries", id] as const,
};
