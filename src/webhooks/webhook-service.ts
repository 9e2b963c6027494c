import type { Kysely } from "kysely";
import type { SecretBox } from "../crypto/secret-box.js";
import type { Database } from "../db/database.js";
import type { DatabaseSchema } from "../db/schema.js";
import type { Scope } from "../documents/document-service.js";
import type { DeliveryTables, WebhookDeliveriesTable, WebhookSubscriptionsTable } from "../destinations/tables.js";
import { newId } from "../engine/ids.js";
import { DocketError } from "../errors.js";
import { checkOutgoingUrl, OutgoingRequestError } from "../net/safe-http.js";
import type { WebhookEvent } from "./webhook-events.js";

export interface WebhookJson {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  created_at: string;
}

export interface WebhookDeliveryJson {
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

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** Event webhook subscriptions and their delivery log, scoped to the owner. The secret is write-only. */
export class WebhookService {
  private readonly db: Kysely<DatabaseSchema & DeliveryTables>;

  constructor(
    database: Database,
    private readonly box: SecretBox,
    private readonly options: { allowPrivateUrls: boolean; retryWindowMs?: number; onChange?: () => void },
  ) {
    this.db = database.db.withTables<DeliveryTables>();
  }

  async create(scope: Scope, input: { url: string; secret: string; events: WebhookEvent[] }): Promise<WebhookJson> {
    try {
      checkOutgoingUrl(input.url, this.options.allowPrivateUrls);
    } catch (error) {
      const why = error instanceof OutgoingRequestError ? error.message : "not a valid URL";
      throw new DocketError("validation_error", `url: ${why}`, { details: { fields: ["url"] } });
    }
    const now = Date.now();
    const row: WebhookSubscriptionsTable = {
      id: newId(),
      owner_id: scope.userId,
      url: input.url,
      secret: this.box.encrypt(input.secret),
      events: JSON.stringify([...new Set(input.events)]),
      active: 1,
      disabled_reason: null,
      disabled_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto("webhook_subscriptions").values(row).execute();
    return toJson(row);
  }

  async list(scope: Scope): Promise<WebhookJson[]> {
    const rows = await this.db
      .selectFrom("webhook_subscriptions")
      .selectAll()
      .where("owner_id", "=", scope.userId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map(toJson);
  }

  async get(scope: Scope, id: string): Promise<WebhookJson> {
    return toJson(await this.row(scope, id));
  }

  /** Turns a subscription on again (after it was disabled) or off; re-enabling clears the reason. */
  async setActive(scope: Scope, id: string, active: boolean): Promise<WebhookJson> {
    await this.row(scope, id);
    const now = Date.now();
    await this.db
      .updateTable("webhook_subscriptions")
      .set(
        active
          ? { active: 1, disabled_reason: null, disabled_at: null, updated_at: now }
          : { active: 0, disabled_reason: "turned off by its owner", disabled_at: now, updated_at: now },
      )
      .where("id", "=", id)
      .execute();
    this.options.onChange?.();
    return this.get(scope, id);
  }

  async remove(scope: Scope, id: string): Promise<void> {
    await this.row(scope, id);
    await this.db.deleteFrom("webhook_deliveries").where("subscription_id", "=", id).execute();
    await this.db.deleteFrom("webhook_subscriptions").where("id", "=", id).execute();
  }

  async deliveries(
    scope: Scope,
    id: string,
    page = 1,
    pageSize = 50,
  ): Promise<{ items: WebhookDeliveryJson[]; total: number }> {
    await this.row(scope, id);
    const base = this.db.selectFrom("webhook_deliveries").where("subscription_id", "=", id);
    const [rows, count] = await Promise.all([
      base
        .selectAll()
        .orderBy("event_id", "desc")
        .orderBy("id", "desc")
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(deliveryToJson), total: Number(count.n) };
  }

  /** Sends a delivery again (same `Docket-Delivery` id), with a fresh 24 h of retries. */
  async redeliver(scope: Scope, id: string, deliveryId: string): Promise<void> {
    await this.row(scope, id);
    const now = Date.now();
    const result = await this.db
      .updateTable("webhook_deliveries")
      .set({
        status: "pending",
        next_attempt_at: now,
        retry_until: now + (this.options.retryWindowMs ?? 24 * 3600_000),
        locked_until: null,
        updated_at: now,
      })
      .where("id", "=", deliveryId)
      .where("subscription_id", "=", id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new DocketError("not_found", "delivery not found");
    this.options.onChange?.();
  }

  private async row(scope: Scope, id: string): Promise<WebhookSubscriptionsTable> {
    const row = await this.db
      .selectFrom("webhook_subscriptions")
      .selectAll()
      .where("id", "=", id)
      .where("owner_id", "=", scope.userId)
      .executeTakeFirst();
    if (!row) throw new DocketError("not_found", "webhook not found");
    return row;
  }
}

function toJson(row: WebhookSubscriptionsTable): WebhookJson {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    active: row.active === 1,
    disabled_reason: row.disabled_reason,
    disabled_at: iso(row.disabled_at),
    created_at: iso(row.created_at)!,
  };
}

function deliveryToJson(row: WebhookDeliveriesTable): WebhookDeliveryJson {
  return {
    id: row.id,
    event: row.event,
    status: row.status as WebhookDeliveryJson["status"],
    attempts: row.attempts,
    response_status: row.response_status,
    last_error: row.last_error,
    next_attempt_at: row.status === "pending" || row.status === "retrying" ? iso(row.next_attempt_at) : null,
    delivered_at: iso(row.delivered_at),
    created_at: iso(row.created_at)!,
  };
}
