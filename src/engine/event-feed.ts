import { sql } from "kysely";
import type { Database } from "../db/database.js";
import type { JobEvent } from "../domain/types.js";
import type { Logger } from "../logger.js";
import { feedBarrier } from "./feed-barrier.js";
import type { Notifier } from "./notifier.js";
import { eventRowToEvent, type JobEventRow } from "./rows.js";

export type FeedEvent = JobEvent & { batchId: string | null };

export interface FeedFilter {
  /** null: every owner (admins). */
  ownerId: string | null;
  documentId?: string | undefined;
  jobId?: string | undefined;
  batchId?: string | undefined;
}

/**
 * A position in the event stream. On SQLite ids are handed out under the single write
 * lock, so they are in commit order and the id alone is the position. On PostgreSQL a
 * transaction may take id 10, commit after the one that took id 11, and a reader that
 * already moved past 11 would never see 10. So the position there is (writing
 * transaction, id), and a reader only reads events of transactions older than a barrier
 * below which no transaction can still add events (see `barrier`): that set can never
 * grow behind the reader.
 */
interface Cursor {
  tx: string;
  id: number;
}

const BATCH = 500;

/**
 * PostgreSQL: a barrier computed from the snapshot of the statement it is part of, so a read
 * of events below it in the SAME statement misses nothing. Of the transactions below the
 * snapshot's xmax, those not in its list of running ones (`xip`) had ended when it was taken,
 * so their events are visible to it. The barrier is the oldest running one, leaving out only
 * those pg_stat_activity shows as another database's (they cannot write `job_events`): a long
 * transaction elsewhere on the server must not hold the feed back. A running id that it does
 * not show (it ended meanwhile, or is a prepared transaction) is kept: that can only hold the
 * feed back until the next read, never let it pass an event. (pg_current_snapshot() is the
 * statement's own snapshot; 32-bit backend ids are unique among running transactions.)
 */
const SNAPSHOT_BARRIER = sql`select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
  from pg_snapshot_xip(pg_current_snapshot()) as x
  where x::xid not in (select a.backend_xid from pg_stat_activity a
    where a.backend_xid is not null and a.datname is distinct from current_database())`;

export interface Subscription {
  close(): void;
}

interface Listener {
  filter: FeedFilter;
  deliver: (event: FeedEvent) => void;
  /** Events that arrived live while the listener's replay was running. */
  buffer: FeedEvent[] | null;
  /**
   * A resuming subscriber already has every event up to this position: those before its
   * Last-Event-ID from its earlier stream, then those its replay delivered. The shared tail
   * may still be behind it (its stream may have come from another replay that ran ahead of
   * the tail) and would hand them over again; they are skipped until the tail has passed it.
   */
  floor: Cursor | null;
}

/** Orders positions: by writing transaction (PostgreSQL; "0" on SQLite), then id. */
function compareCursors(a: Cursor, b: Cursor): number {
  const ta = BigInt(a.tx);
  const tb = BigInt(b.tx);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id - b.id;
}

export function matchesFilter(event: FeedEvent, filter: FeedFilter): boolean {
  if (filter.ownerId !== null && event.ownerId !== filter.ownerId) return false;
  if (filter.documentId && event.documentId !== filter.documentId) return false;
  if (filter.jobId && event.jobId !== filter.jobId) return false;
  if (filter.batchId && event.batchId !== filter.batchId) return false;
  return true;
}

/**
 * One tail of `job_events` per process, fanned out to every subscriber (SSE connections,
 * the CLI's follow mode, long-polls). Woken by the `events` hint (in-process, or NOTIFY
 * from other processes), with polling as the backstop. A subscriber that resumes after a
 * given event id first replays what it missed from the database, then joins the live tail
 * without gaps or duplicates.
 */
export class EventFeed {
  private cursor: Cursor | null = null;
  private readonly listeners = new Set<Listener>();
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly database: Database,
    private readonly notifier: Notifier,
    private readonly log: Logger,
    private readonly pollMs = notifier.crossProcess ? 1_000 : database.dialect === "sqlite" ? 250 : 1_000,
  ) {}

  async start(): Promise<void> {
    this.cursor = await this.head();
    this.unsubscribe = this.notifier.subscribe("events", () => this.poke());
    this.timer = setInterval(() => this.poke(), this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.reading;
    this.listeners.clear();
  }

  /**
   * Delivers every event matching `filter` after event `afterId` (null: only new events),
   * in order, exactly once. Events that were never visible to this owner are skipped.
   */
  async subscribe(
    filter: FeedFilter,
    afterId: string | null,
    deliver: (event: FeedEvent) => void,
  ): Promise<Subscription> {
    // The floor is known before the listener joins: the tail, possibly behind it, must not
    // buffer events the subscriber already has while the lookup runs.
    const start = afterId === null ? null : await this.positionOf(afterId);
    const listener: Listener = { filter, deliver, buffer: afterId === null ? null : [], floor: start };
    this.listeners.add(listener);
    if (afterId !== null) {
      try {
        const seen = new Set<string>();
        let position = start;
        let reached: Cursor | null = null;
        while (position) {
          const rows = await this.readAfter(position, filter);
          for (const event of rows.events) {
            seen.add(event.id);
            deliver(event);
          }
          if (rows.last) reached = rows.last;
          position = rows.events.length === BATCH ? rows.last : null;
        }
        const buffered = listener.buffer ?? [];
        listener.buffer = null;
        for (const event of buffered) if (!seen.has(event.id)) deliver(event);
        if (reached && (!listener.floor || compareCursors(reached, listener.floor) > 0)) listener.floor = reached;
      } catch (error) {
        this.listeners.delete(listener);
        throw error;
      }
    }
    return { close: () => this.listeners.delete(listener) };
  }

  /** Events after `afterId` matching the filter, up to `limit`, in feed order (the webhook dispatcher's tail). */
  async readSince(filter: FeedFilter, afterId: string | null, limit = BATCH): Promise<FeedEvent[]> {
    const position = afterId === null ? { tx: "0", id: 0 } : await this.positionOf(afterId);
    if (!position) return [];
    return (await this.readAfter(position, filter, limit)).events;
  }

  private poke(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.drain()
      .catch((error: unknown) => this.log.warn({ err: error }, "reading new events failed; will try again"))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  private async drain(): Promise<void> {
    if (!this.cursor) return;
    for (;;) {
      const { events, positions, last } = await this.readAfter(this.cursor, { ownerId: null });
      if (last) this.cursor = last;
      for (const [index, event] of events.entries()) {
        for (const listener of this.listeners) {
          if (!matchesFilter(event, listener.filter)) continue;
          if (listener.floor && compareCursors(positions[index]!, listener.floor) <= 0) continue;
          if (listener.buffer) listener.buffer.push(event);
          else {
            try {
              listener.deliver(event);
            } catch (error) {
              this.log.warn({ err: error }, "event subscriber failed");
            }
          }
        }
      }
      // Once the tail has passed a subscriber's floor, nothing it reads can repeat what it has.
      for (const listener of this.listeners) {
        if (listener.floor && compareCursors(this.cursor, listener.floor) >= 0) listener.floor = null;
      }
      if (events.length < BATCH) return;
    }
  }

  /**
   * PostgreSQL, for the head of a fresh tail (reads use SNAPSHOT_BARRIER, in their own
   * statement): a transaction id below which every transaction that could write events has
   * ended, so every event with a smaller `tx` is already visible to a later statement.
   *
   * Why not simply pg_snapshot_xmin: it is cluster-wide, so any long transaction in ANY
   * database of the server (a migration elsewhere, another application's batch job) would
   * hold the feed back for its whole duration. Only backends connected to this database can
   * write `job_events`, so the barrier is the oldest transaction id among them that is older
   * than the snapshot's xmax, or that xmax when none is (feed-barrier.ts). The read of events
   * must be a LATER statement than this one: its snapshot is then taken after every
   * transaction below the barrier had ended.
   */
  private async barrier(): Promise<string> {
    const result = await sql<{ xmax: string; xids: string[] }>`
      select pg_snapshot_xmax(pg_current_snapshot())::text as xmax,
        array(select backend_xid::text from pg_stat_activity
              where datname = current_database() and backend_xid is not null) as xids`.execute(this.database.db);
    const row = result.rows[0]!;
    return feedBarrier(BigInt(row.xmax), row.xids.map(BigInt)).toString();
  }

  /** The newest readable position: where a fresh tail starts. */
  private async head(): Promise<Cursor> {
    if (this.database.dialect === "postgres") {
      const barrier = await this.barrier();
      const result = await sql<{ tx: string; id: number }>`
        select tx::text as tx, id from job_events
        where tx < ${barrier}::xid8
        order by tx desc, id desc limit 1`.execute(this.database.db);
      const row = result.rows[0];
      return row ? { tx: row.tx, id: Number(row.id) } : { tx: "0", id: 0 };
    }
    const row = await this.database.db
      .selectFrom("job_events")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirst();
    return { tx: "0", id: Number(row?.id ?? 0) };
  }

  private async positionOf(eventId: string): Promise<Cursor | null> {
    const id = Number(eventId);
    if (!Number.isSafeInteger(id) || id < 0) return null;
    if (id === 0) return { tx: "0", id: 0 };
    if (this.database.dialect === "postgres") {
      const result = await sql<{ tx: string }>`select tx::text as tx from job_events where id = ${id}`.execute(
        this.database.db,
      );
      const row = result.rows[0];
      // An id we do not know (never existed): resume from the id alone, conservatively from tx 0.
      return row ? { tx: row.tx, id } : { tx: "0", id };
    }
    return { tx: "0", id };
  }

  private async readAfter(
    position: Cursor,
    filter: FeedFilter,
    limit = BATCH,
  ): Promise<{ events: FeedEvent[]; positions: Cursor[]; last: Cursor | null }> {
    const { db } = this.database;
    const conditions = [
      filter.ownerId !== null ? sql`owner_id = ${filter.ownerId}` : null,
      filter.documentId ? sql`document_id = ${filter.documentId}` : null,
      filter.jobId ? sql`job_id = ${filter.jobId}` : null,
      filter.batchId ? sql`batch_id = ${filter.batchId}` : null,
    ].filter((c) => c !== null);
    const extra = conditions.length > 0 ? sql` and ${sql.join(conditions, sql` and `)}` : sql``;
    if (this.database.dialect === "postgres") {
      // The barrier and the read in ONE statement, so one round trip per read (each is on the
      // event→client path of every event). That is sound because both see the same snapshot:
      // every transaction below the barrier had ended when it was taken (see SNAPSHOT_BARRIER).
      const result = await sql<JobEventRow & { tx_text: string }>`
        select e.id, e.job_id, e.document_id, e.owner_id, e.batch_id, e.step, e.status, e.message, e.detail,
          e.attempt, e.created_at, e.tx::text as tx_text
        from job_events e
        where (e.tx, e.id) > (${position.tx}::xid8, ${position.id})
          and e.tx < (${SNAPSHOT_BARRIER})${extra}
        order by e.tx, e.id limit ${limit}`.execute(db);
      const positions = result.rows.map((row) => ({ tx: row.tx_text, id: Number(row.id) }));
      return { events: result.rows.map(eventRowToEvent), positions, last: positions.at(-1) ?? null };
    }
    const result = await sql<JobEventRow>`
      select * from job_events where id > ${position.id}${extra} order by id limit ${limit}`.execute(db);
    const positions = result.rows.map((row) => ({ tx: "0", id: Number(row.id) }));
    return { events: result.rows.map(eventRowToEvent), positions, last: positions.at(-1) ?? null };
  }
}
