/**
 * The destination and webhook part of the CLI's client (`docket destinations …`,
 * `docket webhooks …`), in both modes: remote over the API's routes, local on the same
 * services the server runs.
 */
import type { Scope } from "../../documents/document-service.js";
import type { DeliveryJson } from "../../destinations/deliveries-view.js";
import { listDeliveries } from "../../destinations/deliveries-view.js";
import type {
  CreateDestination,
  DestinationService,
  PatchDestination,
} from "../../destinations/destination-service.js";
import type { DestinationJson } from "../../destinations/destination-types.js";
import type { Database } from "../../db/database.js";
import type { JobService } from "../../jobs/job-service.js";
import type { WebhookEvent } from "../../webhooks/webhook-events.js";
import type { WebhookDeliveryJson, WebhookJson, WebhookService } from "../../webhooks/webhook-service.js";

export type { DeliveryJson, DestinationJson, WebhookDeliveryJson, WebhookJson };

export interface DeliveryClient {
  listDestinations(): Promise<DestinationJson[]>;
  createDestination(input: CreateDestination): Promise<DestinationJson>;
  updateDestination(id: string, patch: PatchDestination): Promise<DestinationJson>;
  removeDestination(id: string): Promise<void>;
  testDestination(id: string): Promise<{ ok: boolean; detail: string }>;
  jobDeliveries(jobId: string): Promise<DeliveryJson[]>;
  listWebhooks(): Promise<WebhookJson[]>;
  createWebhook(input: { url: string; secret: string; events: WebhookEvent[] }): Promise<WebhookJson>;
  setWebhookActive(id: string, active: boolean): Promise<WebhookJson>;
  removeWebhook(id: string): Promise<void>;
  webhookDeliveries(id: string): Promise<WebhookDeliveryJson[]>;
  redeliver(id: string, deliveryId: string): Promise<void>;
}

type Json = <T>(method: string, path: string, init?: { json?: unknown }) => Promise<T>;
const enc = encodeURIComponent;

export class RemoteDelivery implements DeliveryClient {
  constructor(private readonly json: Json) {}

  async listDestinations() {
    return (await this.json<{ items: DestinationJson[] }>("GET", "/api/v1/destinations")).items;
  }
  createDestination(input: CreateDestination) {
    return this.json<DestinationJson>("POST", "/api/v1/destinations", { json: input });
  }
  updateDestination(id: string, patch: PatchDestination) {
    return this.json<DestinationJson>("PATCH", `/api/v1/destinations/${enc(id)}`, { json: patch });
  }
  removeDestination(id: string) {
    return this.json<void>("DELETE", `/api/v1/destinations/${enc(id)}`);
  }
  testDestination(id: string) {
    return this.json<{ ok: boolean; detail: string }>("POST", `/api/v1/destinations/${enc(id)}/test`);
  }
  async jobDeliveries(jobId: string) {
    return (await this.json<{ items: DeliveryJson[] }>("GET", `/api/v1/ocr/jobs/${enc(jobId)}/deliveries`)).items;
  }
  async listWebhooks() {
    return (await this.json<{ items: WebhookJson[] }>("GET", "/api/v1/webhooks")).items;
  }
  createWebhook(input: { url: string; secret: string; events: WebhookEvent[] }) {
    return this.json<WebhookJson>("POST", "/api/v1/webhooks", { json: input });
  }
  setWebhookActive(id: string, active: boolean) {
    return this.json<WebhookJson>("PATCH", `/api/v1/webhooks/${enc(id)}`, { json: { active } });
  }
  removeWebhook(id: string) {
    return this.json<void>("DELETE", `/api/v1/webhooks/${enc(id)}`);
  }
  async webhookDeliveries(id: string) {
    return (
      await this.json<{ items: WebhookDeliveryJson[] }>("GET", `/api/v1/webhooks/${enc(id)}/deliveries?page_size=100`)
    ).items;
  }
  async redeliver(id: string, deliveryId: string) {
    await this.json("POST", `/api/v1/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`);
  }
}

export class LocalDelivery implements DeliveryClient {
  constructor(
    private readonly services: {
      destinations: DestinationService;
      webhooks: WebhookService;
      jobs: JobService;
      database: Database;
    },
    private readonly scope: () => Promise<Scope>,
    private readonly guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  private run<T>(work: (scope: Scope) => Promise<T>): Promise<T> {
    return this.guard(async () => work(await this.scope()));
  }

  listDestinations() {
    return this.run((s) => this.services.destinations.list(s));
  }
  createDestination(input: CreateDestination) {
    return this.run((s) => this.services.destinations.create(s, input));
  }
  updateDestination(id: string, patch: PatchDestination) {
    return this.run((s) => this.services.destinations.update(s, id, patch));
  }
  removeDestination(id: string) {
    return this.run((s) => this.services.destinations.remove(s, id));
  }
  testDestination(id: string) {
    return this.run((s) => this.services.destinations.test(s, id));
  }
  jobDeliveries(jobId: string) {
    return this.run(async (s) => listDeliveries(this.services.database, await this.services.jobs.load(s, jobId)));
  }
  listWebhooks() {
    return this.run((s) => this.services.webhooks.list(s));
  }
  createWebhook(input: { url: string; secret: string; events: WebhookEvent[] }) {
    return this.run((s) => this.services.webhooks.create(s, input));
  }
  setWebhookActive(id: string, active: boolean) {
    return this.run((s) => this.services.webhooks.setActive(s, id, active));
  }
  removeWebhook(id: string) {
    return this.run((s) => this.services.webhooks.remove(s, id));
  }
  webhookDeliveries(id: string) {
    return this.run(async (s) => (await this.services.webhooks.deliveries(s, id, 1, 100)).items);
  }
  redeliver(id: string, deliveryId: string) {
    return this.run((s) => this.services.webhooks.redeliver(s, id, deliveryId));
  }
}
