/**
 * A client that resumes twice while its process's shared tail lags behind. Its first resume
 * replays events the tail has not read yet; it then reconnects with the newest of them as
 * Last-Event-ID. The chaos test's SSE client received those events a second time when the
 * tail caught up (the second replay found nothing new, so nothing told the tail to skip them).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { EventFeed, type FeedEvent } from "../../src/engine/event-feed.js";
import { InProcessNotifier } from "../../src/engine/notifier.js";
import { silentLogger } from "../../src/logger.js";
import { createTestDatabase, DIALECTS, skipReasonFor, type TestDatabase } from "../support/databases.js";
import { seedDocuments } from "../support/seed.js";

for (const dialect of DIALECTS) {
  describe(`event feed resumes on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let db: TestDatabase;
    let owner: string;
    before(async () => {
      if (skip) return;
      db = await createTestDatabase(dialect);
      owner = (await seedDocuments(db.database, 0)).ownerId;
    });
    after(async () => {
      if (!skip) await db.drop();
    });

    const addEvent = async (jobId: string): Promise<string> => {
      const row = await db.database.db
        .insertInto("job_events")
        .values({
          job_id: jobId,
          document_id: "d",
          owner_id: owner,
          status: "pending",
          attempt: 0,
          created_at: Date.now(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return String(row.id);
    };

    it("never hands a resumed client again what an earlier replay already gave it", { skip }, async () => {
      const notifier = new InProcessNotifier();
      // Polling off: the tail moves only when poked, so it can be held behind the replays.
      const feed = new EventFeed(db.database, notifier, silentLogger(), 3_600_000);
      await feed.start();
      try {
        const before = await addEvent("resume-before");
        const ahead = [await addEvent("resume-1"), await addEvent("resume-2")];
        // The first stream resumes after `before` and replays both, ahead of the tail.
        const first: FeedEvent[] = [];
        const firstSub = await feed.subscribe({ ownerId: owner }, before, (e) => first.push(e));
        assert.deepEqual(
          first.map((e) => e.id),
          ahead,
        );
        firstSub.close();
        // It drops; the client resumes from the last event it got. Nothing new to replay.
        const second: FeedEvent[] = [];
        const secondSub = await feed.subscribe({ ownerId: owner }, ahead[1]!, (e) => second.push(e));
        const next = await addEvent("resume-3");
        const deadline = Date.now() + 5_000;
        while (!second.some((e) => e.id === next) && Date.now() < deadline) {
          notifier.publish("events");
          await sleep(20);
        }
        assert.deepEqual(
          second.map((e) => e.id),
          [next],
        );
        secondSub.close();
      } finally {
        await feed.stop();
      }
    });
  });
}
