/**
 * The PostgreSQL feed's barrier (feed-barrier.ts). The chaos test's SSE clients missed events:
 * a backend whose transaction id was newer than the barrier statement's snapshot was widened
 * into the previous epoch, the negative result wrapped to about 2^64 in xid8, and the feed
 * read past transactions that were still open; their events, committed later, were skipped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import type { FeedEvent } from "../../src/engine/event-feed.js";
import { feedBarrier } from "../../src/engine/feed-barrier.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const EPOCH = 2n ** 32n;

describe("feedBarrier", () => {
  it("is the snapshot's xmax when no backend holds an older id", () => {
    assert.equal(feedBarrier(1_000n, []), 1_000n);
  });

  it("is the oldest id of a transaction that was running at the snapshot", () => {
    assert.equal(feedBarrier(1_000n, [995n, 990n, 999n]), 990n);
  });

  it("ignores ids taken after the snapshot: never above xmax, never wrapped", () => {
    assert.equal(feedBarrier(1_000n, [1_000n, 1_005n]), 1_000n);
    assert.equal(feedBarrier(1_000n, [1_005n, 990n]), 990n);
    // Early in the first epoch, as on every new cluster: the bug's case.
    assert.equal(feedBarrier(700n, [702n]), 700n);
  });

  it("widens 32-bit ids across an epoch boundary", () => {
    const xmax = 3n * EPOCH + 5n;
    // Taken just before the epoch turned: 10 ids before xmax.
    assert.equal(feedBarrier(xmax, [EPOCH - 5n]), xmax - 10n);
    // Taken after the snapshot, just past the boundary.
    assert.equal(feedBarrier(xmax, [7n]), xmax);
  });
});

const skip = await skipReasonFor("postgres");

describe("event feed on PostgreSQL with transactions newer than the reader's snapshot", { skip }, () => {
  let db: TestDatabase;
  let engine: Engine;
  let owner: string;
  before(async () => {
    db = await createTestDatabase("postgres");
    engine = await createEngine({ database: db.database, log: silentLogger() });
    owner = (await seedDocuments(db.database, 0)).ownerId;
  });
  after(async () => {
    await engine.close();
    await db.drop();
  });

  it("delivers an open transaction's event that commits after a later one", async () => {
    const seen: FeedEvent[] = [];
    const sub = await engine.feed.subscribe({ ownerId: owner }, null, (e) => seen.push(e));
    const clients = Array.from({ length: 4 }, () => new pg.Client({ connectionString: db.url }));
    await Promise.all(clients.map((c) => c.connect()));
    const [early, later, young, younger] = clients as [pg.Client, pg.Client, pg.Client, pg.Client];
    const insert =
      "insert into job_events (job_id, document_id, owner_id, status, attempt, created_at) values ($1, 'd', $2, 'pending', 0, $3)";
    try {
      await early.query("begin");
      await early.query(insert, ["barrier-early", owner, Date.now()]);
      await later.query(insert, ["barrier-later", owner, Date.now()]);
      // Two open transactions holding ids newer than the latest completed one: the second is
      // above the snapshot xmax of the feed's next read (unless another database commits first).
      for (const client of [young, younger]) {
        await client.query("begin");
        await client.query("select pg_current_xact_id()");
      }
      engine.notifier.publish("events");
      await sleep(300);
      assert.ok(!seen.some((e) => e.jobId === "barrier-later"), "the later event waits for the open transaction");
      await early.query("commit");
      engine.notifier.publish("events");
      const deadline = Date.now() + 5_000;
      while (seen.filter((e) => e.jobId.startsWith("barrier-")).length < 2 && Date.now() < deadline) {
        engine.notifier.publish("events");
        await sleep(20);
      }
      assert.deepEqual(
        seen.filter((e) => e.jobId.startsWith("barrier-")).map((e) => e.jobId),
        ["barrier-early", "barrier-later"],
      );
    } finally {
      for (const client of [early, young, younger]) await client.query("rollback").catch(() => undefined);
      await Promise.all(clients.map((c) => c.end()));
      sub.close();
    }
  });
});
