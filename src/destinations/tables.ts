/**
 * Row types of the destination and webhook tables (migrations/0004_destinations.ts), used
 * through `db.withTables<DeliveryTables>()` so these modules do not widen the shared schema.
 */
export type DestinationsTable = {
  id: string;
  owner_id: string;
  name: string;
  kind: string;
  config: string;
  secrets: string | null;
  is_default: number;
  created_at: number;
  updated_at: number;
};

export type JobDeliveriesTable = {
  job_id: string;
  step: string;
  destination_id: string;
  owner_id: string;
  kind: string;
  delivery_id: string;
  location: string | null;
  last_error: string | null;
  delivered_at: number | null;
  updated_at: number;
};

export type WebhookSubscriptionsTable = {
  id: string;
  owner_id: string;
  url: string;
  secret: string;
  events: string;
  active: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
};

export type WebhookDeliveriesTable = {
  id: string;
  subscription_id: string;
  owner_id: string;
  event: string;
  event_id: number;
  order_key: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  /** Retries stop here (24 h after the event, or after a redeliver). */
  retry_until: number;
  locked_until: number | null;
  response_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
};

export type WebhookCursorTable = {
  name: string;
  event_id: number;
};

export type DeliveryTables = {
  destinations: DestinationsTable;
  job_deliveries: JobDeliveriesTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_cursor: WebhookCursorTable;
};
