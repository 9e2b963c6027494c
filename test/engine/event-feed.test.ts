import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { createEngine, type Engine } from "../../src/engine/engine.js";
import { EventFeed, type FeedEvent } from "../../src/engine/event-feed.js";
import { InProcessNotifier } from "../../src/engine/notifier.js";
import type { JobOptions } from "../../src/domain/types.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

const OPTIONS: JobOptions = {
  ocr_mode: "document",
  resolution_mode: "base",
  languages: ["eng"],
  outputs: ["txt"],
  ocr: "auto",
};

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

for (const dialect of DIALECTS) {
  describe(`event feed on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let engine: Engine;
    let owner: string;
    let other: string;

    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      engine = await createEngine({ database: db.database, log: silentLogger() });
      owner = (await seedDocuments(db.database, 0)).ownerId;
      other = (await seedDocuments(db.database, 0)).ownerId;
    });
    after(async () => {
      if (skip) return;
      await engine.close();
      await db.drop();
    });

    const enqueue = async (ownerId: string) => {
      const { documentIds } = await seedDocuments(db.database, 1, ownerId);
      return engine.queue.enqueue({
        documentId: documentIds[0]!,
        ownerId,
        pipeline: "test",
        options: OPTIONS,
        plan: ["a", "b"],
      });
    };

    it("delivers new events live, in order, scoped to their owner", { skip }, async () => {
      const mine: FeedEvent[] = [];
      const all: FeedEvent[] = [];
      const a = await engine.feed.subscribe({ ownerId: owner }, null, (e) => mine.push(e));
      const b = await engine.feed.subscribe({ ownerId: null }, null, (e) => all.push(e));
      const job = await enqueue(owner);
      const foreign = await enqueue(other);
      await until(
        "both jobs' events",
        () =>
          all.filter((e) => e.jobId === foreign.id).length === 3 && all.filter((e) => e.jobId === job.id).length === 3,
      );
      assert.deepEqual(
        mine.map((e) => `${e.step ?? "job"}:${e.status}`),
        ["job:pending", "a:pending", "b:pending"],
      );
      assert.ok(mine.every((e) => e.ownerId === owner));
      const ids = all.map((e) => Number(e.id));
      assert.equal(new Set(ids).size, ids.length, "no duplicates");
      a.close();
      b.close();
    });

    it(
      "resumes after a given event id: replays what was missed, then goes live, without gaps or duplicates",
      { skip },
      async () => {
        const first = await enqueue(owner);
        const seen: FeedEvent[] = [];
        const probe = await engine.feed.subscribe({ ownerId: owner, jobId: first.id }, "0", (e) => seen.push(e));
        await until("replay", () => seen.length === 3);
        probe.close();
        const lastSeen = seen[0]!.id; // resume after the first event: two replayed, then live ones
        await engine.queue.cancel(first.id);
        const resumed: FeedEvent[] = [];
        const sub = await engine.feed.subscribe({ ownerId: owner, jobId: first.id }, lastSeen, (e) => resumed.push(e));
        await until("replayed and live", () => resumed.some((e) => e.status === "cancelled" && e.step === null));
        await engine.queue.retry(first.id);
        await until("after retry", () => resumed.some((e) => e.status === "pending" && e.step === null));
        const ids = resumed.map((e) => e.id);
        assert.equal(new Set(ids).size, ids.length, "no duplicates");
        assert.deepEqual(
          resumed.slice(0, 2).map((e) => `${e.step}:${e.status}`),
          ["a:pending", "b:pending"],
        );
        assert.ok(resumed.every((e) => Number(e.id) > Number(lastSeen)));
        const inDb = await db.database.db
          .selectFrom("job_events")
          .select("id")
          .where("job_id", "=", first.id)
          .where("id", ">", Number(lastSeen))
          .orderBy("id")
          .execute();
        assert.deepEqual(
          [...ids].map(Number).sort((x, y) => x - y),
          inDb.map((r) => Number(r.id)),
          "exactly the events after the resume point",
        );
        sub.close();
      },
    );

    it(
      "a resumed subscriber does not get the replayed events again from a tail that was behind",
      { skip },
      async () => {
        // A feed of its own that only moves when poked, so the tail is behind for certain.
        const notifier = new InProcessNotifier();
        const feed = new EventFeed(db.database, notifier, silentLogger(), 3_600_000);
        await feed.start();
        try {
          const job = await enqueue(owner); // the tail has not read these three events
          const first = await db.database.db
            .selectFrom("job_events")
            .select("id")
            .where("job_id", "=", job.id)
            .orderBy("id")
            .executeTakeFirstOrThrow();
          const got: FeedEvent[] = [];
          const sub = await feed.subscribe({ ownerId: owner, jobId: job.id }, String(Number(first.id) - 1), (e) =>
            got.push(e),
          );
          assert.equal(got.length, 3, "replayed");
          notifier.publish("events");
          await engine.queue.cancel(job.id);
          notifier.publish("events");
          await until("the cancel event from the tail", () =>
            got.some((e) => e.status === "cancelled" && e.step === null),
          );
          const ids = got.map((e) => e.id);
          assert.equal(new Set(ids).size, ids.length, `no duplicates: ${ids.join(",")}`);
          sub.close();
        } finally {
          await feed.stop();
        }
      },
    );

    // SQLite has a single writer, so its ids are already in commit order: PostgreSQL only.
    if (dialect === "postgres")
      it("never skips an event whose transaction took a lower id but committed later", { skip }, async () => {
        const seen: FeedEvent[] = [];
        const sub = await engine.feed.subscribe({ ownerId: owner }, null, (e) => seen.push(e));
        const row = (key: string) => [`late-${key}`, "d", owner, "pending", Date.now()];
        const slow = new pg.Client({ connectionString: db.url });
        const fast = new pg.Client({ connectionString: db.url });
        await slow.connect();
        await fast.connect();
        const insert =
          "insert into job_events (job_id, document_id, owner_id, status, attempt, created_at) values ($1, $2, $3, $4, 0, $5) returning id";
        await slow.query("begin");
        const slowId = Number((await slow.query<{ id: string }>(insert, row("slow"))).rows[0]!.id);
        const fastId = Number((await fast.query<{ id: string }>(insert, row("fast"))).rows[0]!.id);
        assert.ok(fastId > slowId);
        engine.notifier.publish("events");
        await sleep(300);
        assert.ok(!seen.some((e) => e.jobId === "late-fast"), "the later id waits while an older transaction is open");
        await slow.query("commit");
        engine.notifier.publish("events");
        await until(
          "both events",
          () => seen.some((e) => e.jobId === "late-slow") && seen.some((e) => e.jobId === "late-fast"),
        );
        const order = seen.filter((e) => e.jobId.startsWith("late-")).map((e) => e.jobId);
        assert.deepEqual(order, ["late-slow", "late-fast"]);
        sub.close();
        await slow.end();
        await fast.end();
      });

    // The transaction-id barrier is cluster-wide in PostgreSQL; only this database's writers count.
    if (dialect === "postgres")
      it("is not held back by a long transaction in another database of the server", { skip }, async () => {
        const seen: FeedEvent[] = [];
        const sub = await engine.feed.subscribe({ ownerId: owner }, null, (e) => seen.push(e));
        const elsewhere = new pg.Client({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, "/postgres$1") });
        await elsewhere.connect();
        try {
          await elsewhere.query("begin");
          await elsewhere.query("select pg_current_xact_id()"); // takes a transaction id, like any write
          const job = await enqueue(owner);
          await until(
            "the new job's events while the other database's transaction stays open",
            () => seen.filter((e) => e.jobId === job.id).length === 3,
            2_000,
          );
        } finally {
          await elsewhere.query("rollback").catch(() => undefined);
          await elsewhere.end();
          sub.close();
        }
      });
  });
}
