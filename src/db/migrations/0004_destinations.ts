import { sql, type Kysely } from "kysely";

/**
 * Destinations and event webhooks (#16). Frozen once released.
 *
 * `destinations`: a user's delivery targets. `config` is the kind's non-secret settings as
 * JSON; `secrets` is the JSON of its secret fields encrypted with DOCKET_SECRET_KEY
 * (`crypto/secret-box.ts`), null when it has none. Names are unique per owner: a job's plan
 * names its steps `deliver:<name>`.
 *
 * `job_deliveries`: what each `deliver:` step of a job did (where the outputs went, when);
 * its status and attempts are read from the step row itself, so the two cannot disagree.
 *
 * `webhook_subscriptions`, `webhook_deliveries`: event webhooks. Deliveries are rows, made
 * by the dispatcher from `job_events` (its position kept in `webhook_cursor`), so they
 * survive restarts; one row per (subscription, event id, event type).
 */
export async function up(db: Kysely<unknown>, dialect: "sqlite" | "postgres"): Promise<void> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  const time = (name: string, nullable = false) => sql.raw(`${name} ${bigint}${nullable ? "" : " not null"}`);

  await sql`create table destinations (
    id text primary key,
    owner_id text not null references users(id),
    name text not null,
    kind text not null,
    config text not null,
    secrets text,
    is_default integer not null,
    ${time("created_at")},
    ${time("updated_at")}
  )`.execute(db);
  await sql`create unique index destinations_owner_name_idx on destinations(owner_id, name)`.execute(db);

  await sql`create table job_deliveries (
    job_id text not null references jobs(id) on delete cascade,
    step text not null,
    destination_id text not null,
    owner_id text not null,
    kind text not null,
    delivery_id text not null,
    location text,
    last_error text,
    ${time("delivered_at", true)},
    ${time("updated_at")},
    primary key (job_id, step)
  )`.execute(db);

  await sql`create table webhook_subscriptions (
    id text primary key,
    owner_id text not null references users(id),
    url text not null,
    secret text not null,
    events text not null,
    active integer not null,
    disabled_reason text,
    ${time("disabled_at", true)},
    ${time("created_at")},
    ${time("updated_at")}
  )`.execute(db);
  await sql`create index webhook_subscriptions_owner_idx on webhook_subscriptions(owner_id)`.execute(db);

  await sql`create table webhook_deliveries (
    id text primary key,
    subscription_id text not null references webhook_subscriptions(id) on delete cascade,
    owner_id text not null,
    event text not null,
    event_id ${sql.raw(bigint)} not null,
    order_key text not null,
    payload text not null,
    status text not null,
    attempts integer not null,
    ${time("next_attempt_at")},
    ${time("retry_until")},
    ${time("locked_until", true)},
    response_status integer,
    last_error text,
    ${time("created_at")},
    ${time("updated_at")},
    ${time("delivered_at", true)}
  )`.execute(db);
  await sql`create unique index webhook_deliveries_event_idx on webhook_deliveries(subscription_id, event_id, event)`.execute(
    db,
  );
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries(status, next_attempt_at)`.execute(db);
  await sql`create index webhook_deliveries_order_idx on webhook_deliveries(subscription_id, order_key, event_id)`.execute(
    db,
  );

  // Event webhooks start with the events after this migration: history is not replayed.
  await sql`create table webhook_cursor (name text primary key, event_id ${sql.raw(bigint)} not null)`.execute(db);
  await sql`insert into webhook_cursor (name, event_id) select 'events', coalesce(max(id), 0) from job_events`.execute(
    db,
  );
}
