import pg from "pg";
import { survivePostgresRestarts, type Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import { EventFeed } from "./event-feed.js";
import { JobQueue, type BackoffPolicy, type Clock } from "./job-queue.js";
import { InProcessNotifier, PgNotifier, type Notifier } from "./notifier.js";
import { Rescuer } from "./rescuer.js";
import { StepLedger } from "./step-ledger.js";

export interface EngineOptions {
  database: Database;
  log: Logger;
  clock?: Clock;
  backoff?: BackoffPolicy;
  /** How often this node looks for silent workers and expired leases (default 1 s). */
  rescueIntervalMs?: number;
  /**
   * Tail the event table for subscribers (SSE, long-polls). Worker-only processes have no
   * subscribers and skip it: a tail re-reads job_events on every wake-up.
   */
  feed?: boolean;
}

/** The engine's parts for one process, built once by a composition root. */
export interface Engine {
  database: Database;
  notifier: Notifier;
  queue: JobQueue;
  feed: EventFeed;
  ledger: StepLedger;
  rescuer: Rescuer;
  close(): Promise<void>;
}

export async function createNotifier(
  database: Database,
  log: Logger,
): Promise<{ notifier: Notifier; close: () => Promise<void> }> {
  if (database.dialect !== "postgres" || !database.pgConfig) {
    const notifier = new InProcessNotifier();
    return { notifier, close: () => notifier.close() };
  }
  const pool = new pg.Pool({ ...database.pgConfig, max: 2 });
  survivePostgresRestarts(pool);
  const notifier = new PgNotifier(pool, database.pgConfig, log);
  await notifier.start();
  return {
    notifier,
    close: async () => {
      await notifier.close();
      await pool.end();
    },
  };
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const { database, log } = options;
  const { notifier, close: closeNotifier } = await createNotifier(database, log);
  const queue = new JobQueue({
    database,
    notifier,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const feed = new EventFeed(database, notifier, log);
  if (options.feed !== false) await feed.start();
  const rescuer = new Rescuer(queue.kit, log, options.rescueIntervalMs ?? 1_000);
  return {
    database,
    notifier,
    queue,
    feed,
    ledger: new StepLedger(database),
    rescuer,
    close: async () => {
      await rescuer.stop();
      await feed.stop();
      await closeNotifier();
    },
  };
}
