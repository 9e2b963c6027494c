import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { silentLogger } from "../../src/logger.js";
import { createNotifier } from "../../src/engine/engine.js";
import type { Channel, Notifier } from "../../src/engine/notifier.js";
import { createTestDatabase, skipReasonFor, type TestDatabase } from "../support/databases.js";

const CHANNELS: readonly Channel[] = ["jobs", "events", "cancel", "auth"];

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/**
 * The PostgreSQL notifier's one listener connection. Runs in its own process (one test file),
 * so pg's once-per-process deprecation warning is this file's to see.
 */
describe("PgNotifier on postgres", async () => {
  const skip = await skipReasonFor("postgres");
  let db: TestDatabase;
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.message);

  before(async () => {
    if (skip) return;
    db = await createTestDatabase("postgres");
    process.on("warning", onWarning);
  });
  after(async () => {
    process.off("warning", onWarning);
    await db?.drop();
  });

  it("LISTENs one query at a time however subscribes race the connection, and every channel's hints arrive", async (t) => {
    if (skip) return t.skip(skip);
    const listener = await createNotifier(db.database, silentLogger());
    const publisher = await createNotifier(db.database, silentLogger());
    try {
      const notifier: Notifier = listener.notifier;
      const received = new Map<Channel, string[]>(CHANNELS.map((channel) => [channel, []]));
      // All four at once on a connected listener: each used to send its own LISTEN at once.
      for (const channel of CHANNELS) notifier.subscribe(channel, (payload) => received.get(channel)!.push(payload));
      await until("every channel is listened", () => CHANNELS.every((channel) => notifier.hintsLive(channel)));

      for (const channel of CHANNELS) publisher.notifier.publish(channel, `hello-${channel}`);
      await until("every hint arrived", () =>
        CHANNELS.every((channel) => received.get(channel)!.includes(`hello-${channel}`)),
      );
      await sleep(50); // a deprecation warning is emitted on the next tick
      assert.deepEqual(
        warnings.filter((message) => /already executing a query/.test(message)),
        [],
        "no LISTEN was sent while another query ran on the listener connection",
      );
    } finally {
      await listener.close();
      await publisher.close();
    }
  });

  it("listens again on every wanted channel after the listener connection is killed", async (t) => {
    if (skip) return t.skip(skip);
    const listener = await createNotifier(db.database, silentLogger());
    const publisher = await createNotifier(db.database, silentLogger());
    try {
      const notifier = listener.notifier;
      const received: string[] = [];
      notifier.subscribe("jobs", (payload) => received.push(payload));
      notifier.subscribe("cancel", (payload) => received.push(payload));
      await until("both channels are listened", () => notifier.hintsLive("jobs") && notifier.hintsLive("cancel"));

      // Kill every backend that LISTENs in this database: the listener's connection drops.
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'LISTEN%' and pid <> pg_backend_pid()",
        );
      } finally {
        await admin.end();
      }
      await until("the notifier knows its hints are down", () => !notifier.hintsLive("jobs"));
      await until("both channels are listened again", () => notifier.hintsLive("jobs") && notifier.hintsLive("cancel"));

      publisher.notifier.publish("cancel", "after-reconnect");
      await until("the hint sent after the reconnect arrived", () => received.includes("after-reconnect"));
    } finally {
      await listener.close();
      await publisher.close();
    }
  });
});
