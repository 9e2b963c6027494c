/**
 * One active job per document (#15), through the real HTTP API on SQLite and PostgreSQL:
 * racing submits, batches, retries, uploads with process=true and a collection's process
 * stage each leave exactly one pending or processing job per document, and the loser is
 * told which job is active. No worker runs, so every job created stays pending.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DocketError } from "../../src/errors.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer, type Client, type TestServer, type Users } from "../api/support.js";

const ROUNDS = 6;

for (const dialect of DIALECTS) {
  describe(`one active job per document on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;

    before(async () => {
      if (skip) return;
      server = await startServer(dialect, { DOCKET_WORKERS: "0" });
      u = await createUsers(server.base);
    });
    after(async () => {
      if (!skip) await server.close();
    });

    const upload = async (c: Client = u.alice): Promise<string> => {
      const res = await c.upload(pngBytes());
      assert.equal(res.status, 201, res.text);
      return res.json.document.id as string;
    };
    const activeJobs = async (documentId: string) =>
      server.docket.database.db
        .selectFrom("jobs")
        .select(["id", "status"])
        .where("document_id", "=", documentId)
        .where("status", "in", ["pending", "processing"])
        .execute();
    const submit = (documentId: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: documentId, ...extra }, headers });

    it("two racing submits: one 202, one 409 job_active naming the winner, one active job", { skip }, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const d = await upload();
        // Odd rounds race on a document whose earlier job was cancelled: a finished job never blocks.
        if (round % 2 === 1) {
          const first = await submit(d);
          assert.equal((await u.alice.req("PUT", `/api/v1/ocr/jobs/${first.json.id}/cancel`)).status, 202);
        }
        const answers = await Promise.all([submit(d), submit(d, { priority: 7 })]);
        assert.deepEqual(answers.map((a) => a.status).sort(), [202, 409], answers.map((a) => a.text).join("\n"));
        const won = answers.find((a) => a.status === 202)!.json;
        const lost = answers.find((a) => a.status === 409)!.json;
        assert.equal(lost.code, "job_active");
        assert.match(lost.detail, new RegExp(won.id));
        assert.equal(lost.details.job_id, won.id);
        assert.deepEqual(
          (await activeJobs(d)).map((j) => j.id),
          [won.id],
        );
      }
    });

    it("the engine's enqueue holds the rule under many concurrent inserters", { skip }, async () => {
      const owner = (await u.alice.req("GET", "/api/v1/me")).json.id as string;
      for (let round = 0; round < ROUNDS; round++) {
        const d = await upload();
        const results = await Promise.allSettled(
          Array.from({ length: 4 }, () =>
            server.docket.engine.queue.enqueue({
              documentId: d,
              ownerId: owner,
              pipeline: "ocr",
              options: {
                ocr_mode: "document",
                resolution_mode: "base",
                languages: ["eng"],
                outputs: ["txt"],
                ocr: "auto",
              },
              plan: ["validate", "ocr", "export"],
            }),
          ),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
        for (const r of results)
          if (r.status === "rejected") {
            assert.ok(r.reason instanceof DocketError && r.reason.code === "job_active", String(r.reason));
            assert.equal(r.reason.details?.job_id, won[0]!.value.id);
          }
        assert.equal((await activeJobs(d)).length, 1);
      }
    });

    it("a batch submits the others and lists a document with an active job in skipped", { skip }, async () => {
      const [a, busy, c] = [await upload(), await upload(), await upload()];
      const active = (await submit(busy)).json;
      const body = { document_ids: [a, busy, c], outputs: ["txt"] };
      const key = { "idempotency-key": `batch-${dialect}-${Date.now()}` };
      const batch = await u.alice.req("POST", "/api/v1/ocr/batch", { json: body, headers: key });
      assert.equal(batch.status, 202, batch.text);
      assert.deepEqual(
        batch.json.jobs.map((j: { document_id: string }) => j.document_id),
        [a, c],
      );
      assert.equal(batch.json.skipped.length, 1);
      assert.equal(batch.json.skipped[0].document_id, busy);
      assert.equal(batch.json.skipped[0].reason, "job_active");
      assert.equal(batch.json.skipped[0].job_id, active.id);
      assert.match(batch.json.skipped[0].message, new RegExp(active.id));
      const view = await u.alice.req("GET", `/api/v1/batches/${batch.json.batch_id}`);
      assert.equal(view.json.total, 2);

      // The same key replays the first answer; a new key finds every document active now.
      const replay = await u.alice.req("POST", "/api/v1/ocr/batch", { json: body, headers: key });
      assert.equal(replay.status, 202);
      assert.equal(replay.headers.get("idempotent-replayed"), "true");
      assert.deepEqual(replay.json, batch.json);
      const again = await u.alice.req("POST", "/api/v1/ocr/batch", { json: body });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.json.code, "job_active");
      assert.equal(again.json.details.skipped.length, 3);
      for (const d of [a, busy, c]) assert.equal((await activeJobs(d)).length, 1);
    });

    it("retry of a finished job is refused while another job of the document is active", { skip }, async () => {
      const d = await upload();
      const old = (await submit(d)).json;
      await u.alice.req("PUT", `/api/v1/ocr/jobs/${old.id}/cancel`);
      const current = (await submit(d)).json;
      const refused = await u.alice.req("POST", `/api/v1/ocr/jobs/${old.id}/retry`);
      assert.equal(refused.status, 409, refused.text);
      assert.equal(refused.json.code, "job_active");
      assert.match(refused.json.detail, new RegExp(current.id));
      await u.alice.req("PUT", `/api/v1/ocr/jobs/${current.id}/cancel`);

      // Racing: retrying the old job while submitting a new one; exactly one wins.
      for (let round = 0; round < ROUNDS / 2; round++) {
        const answers = await Promise.all([u.alice.req("POST", `/api/v1/ocr/jobs/${old.id}/retry`), submit(d)]);
        assert.deepEqual(answers.map((a) => a.status).sort(), [202, 409], answers.map((a) => a.text).join("\n"));
        const winner = answers.find((a) => a.status === 202)!.json;
        assert.equal(answers.find((a) => a.status === 409)!.json.details.job_id, winner.id);
        assert.deepEqual(
          (await activeJobs(d)).map((j) => j.id),
          [winner.id],
        );
        assert.equal((await u.alice.req("PUT", `/api/v1/ocr/jobs/${winner.id}/cancel`)).status, 202);
      }
    });

    it("two uploads of one file with process=true at once both answer with the one job", { skip }, async () => {
      for (let round = 0; round < ROUNDS / 2; round++) {
        const file = pngBytes();
        const answers = await Promise.all([
          u.alice.upload(file, "same.png", { process: "true" }),
          u.alice.upload(file, "same.png", { process: "true" }),
        ]);
        for (const a of answers) assert.ok(a.status === 200 || a.status === 201, a.text);
        const d = answers[0]!.json.document.id as string;
        const active = await activeJobs(d);
        assert.equal(active.length, 1);
        for (const a of answers) assert.equal(a.json.job.id, active[0]!.id);
      }
    });

    it("a collection's process stage racing a submit skips the document the submit won", { skip }, async () => {
      for (let round = 0; round < ROUNDS / 2; round++) {
        const members = [await upload(), await upload(), await upload()];
        const col = (await u.alice.req("POST", "/api/v1/collections", { json: { name: `race ${round}` } })).json;
        await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, { json: { document_ids: members } });
        const target = members[round % 3]!;
        const [processed, submitted] = await Promise.all([
          u.alice.req("POST", `/api/v1/collections/${col.id}/process`, { json: {} }),
          submit(target),
        ]);
        assert.equal(processed.status, 202, processed.text);
        for (const d of members) assert.equal((await activeJobs(d)).length, 1, `round ${round}: ${d}`);
        const fromProcess = processed.json.jobs.map((j: { document_id: string }) => j.document_id);
        if (submitted.status === 202) {
          assert.ok(!fromProcess.includes(target));
          const skipped = processed.json.skipped.find((s: { document_id: string }) => s.document_id === target);
          assert.equal(skipped.reason, "job_active");
          assert.equal(skipped.job_id, submitted.json.id);
        } else {
          assert.equal(submitted.status, 409, submitted.text);
          assert.equal(submitted.json.code, "job_active");
          const job = processed.json.jobs.find((j: { document_id: string }) => j.document_id === target);
          assert.equal(submitted.json.details.job_id, job.id);
        }
      }
    });

    it(
      "the process stage skips a document whose active job is not its latest (found by the insert)",
      { skip },
      async () => {
        // The stage reads each member's latest job; here that one is cancelled while an older
        // job of the document was retried, so only the insert finds the active job.
        const [d, fresh] = [await upload(), await upload()];
        const older = (await submit(d)).json;
        await u.alice.req("PUT", `/api/v1/ocr/jobs/${older.id}/cancel`);
        const latest = (await submit(d)).json;
        await u.alice.req("PUT", `/api/v1/ocr/jobs/${latest.id}/cancel`);
        assert.equal((await u.alice.req("POST", `/api/v1/ocr/jobs/${older.id}/retry`)).status, 202);
        const col = (await u.alice.req("POST", "/api/v1/collections", { json: { name: "hidden active" } })).json;
        await u.alice.req("POST", `/api/v1/collections/${col.id}/documents`, { json: { document_ids: [d, fresh] } });
        const processed = await u.alice.req("POST", `/api/v1/collections/${col.id}/process`, { json: {} });
        assert.equal(processed.status, 202, processed.text);
        assert.deepEqual(
          processed.json.jobs.map((j: { document_id: string }) => j.document_id),
          [fresh],
        );
        assert.equal(processed.json.skipped.length, 1);
        assert.equal(processed.json.skipped[0].document_id, d);
        assert.equal(processed.json.skipped[0].reason, "job_active");
        assert.equal(processed.json.skipped[0].job_id, older.id);
        assert.deepEqual(
          (await activeJobs(d)).map((j) => j.id),
          [older.id],
        );
      },
    );

    it("another user's document is still a 404, not a 409", { skip }, async () => {
      const d = await upload();
      await submit(d);
      const res = await u.bob.req("POST", "/api/v1/ocr/submit", { json: { document_id: d } });
      assert.equal(res.status, 404);
    });
  });
}
