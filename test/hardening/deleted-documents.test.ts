import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer, waitForJob, type TestServer, type Users } from "../api/support.js";

for (const dialect of DIALECTS) {
  describe(`a deleted document's jobs and results answer 404 (${dialect})`, async () => {
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

    it("a failed job of a deleted document cannot be retried, read or listed", { skip }, async () => {
      const id = (await u.alice.upload(pngBytes(), "f.png")).json.document.id;
      server.scripts.set(id, { ocr: "transient" });
      const job = (await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: id } })).json;
      await waitForJob(u.alice, job.id, ["failed"]);
      server.scripts.set(id, {}); // a retry would now succeed
      assert.equal((await u.alice.req("DELETE", `/api/v1/documents/${id}`)).status, 204);

      const retry = await u.alice.req("POST", `/api/v1/ocr/jobs/${job.id}/retry`);
      assert.equal(retry.status, 404, retry.text);
      assert.equal(retry.json.code, "not_found");
      assert.equal((await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}`)).status, 404);
      assert.equal((await u.admin.req("GET", `/api/v1/ocr/jobs/${job.id}`)).status, 404);
      const listed = await u.alice.req("GET", "/api/v1/ocr/jobs");
      assert.ok(!listed.json.items.some((j: { id: string }) => j.id === job.id));
    });

    it("a completed job's results of a deleted document cannot be downloaded", { skip }, async () => {
      const up = await u.alice.upload(pngBytes(), "c.png", { process: "true", outputs: ["txt", "pdf"] });
      const job = await waitForJob(u.alice, up.json.job.id, ["completed"]);
      assert.equal((await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/result/pdf`)).status, 200);
      assert.equal((await u.alice.req("DELETE", `/api/v1/documents/${up.json.document.id}`)).status, 204);
      for (const path of ["", "/result", "/result/pdf", "/result/txt"]) {
        const res = await u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}${path}`);
        assert.equal(res.status, 404, `${path}: ${res.status}`);
      }
      assert.equal((await u.alice.req("POST", `/api/v1/ocr/jobs/${job.id}/retry`)).status, 404);
      assert.equal((await u.alice.req("POST", `/api/v1/ocr/jobs/${job.id}/cancel`)).status, 404);
    });
  });
}
