/**
 * The seed clients' gaps (#15 item 6) through the real server on SQLite and PostgreSQL:
 * status display metadata by Accept-Language, a status version that never goes backwards
 * when jobs are deleted, results by document id, and a job's step summary.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { displayLanguage } from "../../src/jobs/status-display.js";
import {
  createUsers,
  pngBytes,
  startServer,
  waitFor,
  type Client,
  type TestServer,
  type Users,
} from "../api/support.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";

const FINISHED = ["completed", "manual_review", "failed", "cancelled"];

describe("Accept-Language negotiation for status labels", () => {
  it("picks the preferred of en and pl, by q-value and primary tag", () => {
    assert.equal(displayLanguage(undefined), "en");
    assert.equal(displayLanguage("pl"), "pl");
    assert.equal(displayLanguage("pl-PL,pl;q=0.9,en;q=0.8"), "pl");
    assert.equal(displayLanguage("de-DE, pl;q=0.5, en;q=0.9"), "en");
    assert.equal(displayLanguage("fr, *;q=0.1"), "en");
    assert.equal(displayLanguage("PL"), "pl");
    assert.equal(displayLanguage("en;q=0, pl;q=0.1"), "pl");
  });
});

for (const dialect of DIALECTS) {
  describe(`seed gaps on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;

    before(async () => {
      if (skip) return;
      server = await startServer(dialect);
      u = await createUsers(server.base);
    });
    after(async () => {
      if (!skip) await server.close();
    });

    async function upload(c: Client): Promise<string> {
      const res = await c.upload(pngBytes());
      assert.equal(res.status, 201, res.text);
      return res.json.document.id as string;
    }

    async function processed(c: Client, id: string): Promise<{ jobId: string; status: Record<string, unknown> }> {
      const job = await c.req("POST", "/api/v1/ocr/submit", { json: { document_id: id } });
      assert.equal(job.status, 202, job.text);
      const status = await waitFor(`document ${id} to finish`, async () => {
        const s = (await c.req("GET", `/api/v1/documents/${id}/status`)).json;
        return FINISHED.includes(s?.status) && s.version > 0 ? s : undefined;
      });
      await waitFor("the job to finish", async () => {
        const j = (await c.req("GET", `/api/v1/ocr/jobs/${job.json.id}`)).json;
        return FINISHED.includes(j.status) ? j : undefined;
      });
      return { jobId: job.json.id as string, status };
    }

    it("labels the status in the language asked for, with a colour", { skip }, async () => {
      const id = await upload(u.alice);
      const pl = await u.alice.req("GET", `/api/v1/documents/${id}/status`, {
        headers: { "accept-language": "pl-PL,pl;q=0.9" },
      });
      assert.equal(pl.status, 200);
      assert.deepEqual(pl.json.display, { label: "Przesłany", color: "#6a7487" });
      assert.match(pl.headers.get("vary") ?? "", /accept-language/i);
      const en = await u.alice.req("GET", `/api/v1/documents/${id}/status`, { headers: { "accept-language": "en" } });
      assert.equal(en.json.display.label, "Uploaded");
      const { status } = await processed(u.alice, id);
      const done = await u.alice.req("GET", `/api/v1/documents/${id}/status`, { headers: { "accept-language": "pl" } });
      assert.equal(status.status, "completed");
      assert.deepEqual(done.json.display, { label: "Zakończony", color: "#1f8a4c" });
    });

    it("never moves the status version backwards when jobs are deleted", { skip }, async () => {
      const id = await upload(u.alice);
      const first = await processed(u.alice, id);
      const second = await processed(u.alice, id);
      const v2 = Number(second.status.version);
      assert.ok(v2 > Number(first.status.version));

      assert.equal((await u.alice.req("DELETE", `/api/v1/ocr/jobs/${second.jobId}`)).status, 204);
      const afterOne = (await u.alice.req("GET", `/api/v1/documents/${id}/status`)).json;
      assert.equal(afterOne.status, "completed", "the first job's status again");
      assert.ok(afterOne.version > v2, `${afterOne.version} > ${v2}`);

      assert.equal((await u.alice.req("DELETE", `/api/v1/ocr/jobs/${first.jobId}`)).status, 204);
      const res = await u.alice.req("GET", `/api/v1/documents/${id}/status`);
      assert.equal(res.json.status, "uploaded");
      assert.ok(res.json.version > afterOne.version, `${res.json.version} > ${afterOne.version}`);
      assert.equal(res.headers.get("etag"), `"${res.json.version}"`);
      // A client holding the old ETag is answered with the new status, not a 304.
      const conditional = await u.alice.req("GET", `/api/v1/documents/${id}/status`, {
        headers: { "if-none-match": `"${v2}"` },
      });
      assert.equal(conditional.status, 200);
    });

    it("serves results by document id from the latest completed job", { skip }, async () => {
      const id = await upload(u.alice);
      const early = await u.alice.req("GET", `/api/v1/documents/${id}/result`);
      assert.equal(early.status, 409);
      assert.equal(early.json.code, "not_ready");
      const { jobId } = await processed(u.alice, id);
      const result = await u.alice.req("GET", `/api/v1/documents/${id}/result`);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.json.job_id, jobId);
      assert.equal(result.json.document_id, id);
      assert.match(result.json.text, new RegExp(id));
      const txt = await u.alice.req("GET", `/api/v1/documents/${id}/result/txt`);
      assert.equal(txt.status, 200);
      assert.equal(txt.text, `Hello from document ${id}`);
      assert.match(txt.headers.get("content-disposition") ?? "", /attachment/);

      // A later job that fails does not hide the completed one's results.
      server.scripts.set(id, { ocr: "fail" });
      await processed(u.alice, id);
      assert.equal((await u.alice.req("GET", `/api/v1/documents/${id}/status`)).json.status, "failed");
      assert.equal((await u.alice.req("GET", `/api/v1/documents/${id}/result`)).json.job_id, jobId);

      assert.equal((await u.bob.req("GET", `/api/v1/documents/${id}/result`)).status, 404);
      assert.equal((await u.bob.req("GET", `/api/v1/documents/${id}/result/txt`)).status, 404);
      assert.equal((await u.alice.req("GET", `/api/v1/documents/${id}/result/docx`)).status, 400);
    });

    it("summarises a job's steps by status, pipeline apart from delivery", { skip }, async () => {
      const id = await upload(u.alice);
      server.scripts.set(id, { ocr: "add:deliver:archive", "deliver:archive": "fail" });
      const { jobId } = await processed(u.alice, id);
      const job = (await u.alice.req("GET", `/api/v1/ocr/jobs/${jobId}`)).json;
      assert.deepEqual(job.steps.map((s: { name: string }) => s.name).sort(), [
        "deliver:archive",
        "export",
        "ocr",
        "validate",
      ]);
      assert.deepEqual(job.step_summary.delivery, {
        total: 1,
        pending: 0,
        in_progress: 0,
        success: 0,
        failure: 1,
        skipped: 0,
        cancelled: 0,
      });
      assert.equal(job.step_summary.pipeline.total, 3);
      assert.equal(job.step_summary.pipeline.success, 3);
      assert.equal(job.step_summary.pipeline.failure, 0);
      const list = await u.alice.req("GET", `/api/v1/ocr/jobs?document_id=${id}`);
      assert.deepEqual(list.json.items[0].step_summary, job.step_summary);
    });
  });
}
