import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIALECTS } from "../support/databases.js";
import { pdfBytes, pngBytes, serverWithUsers, SseClient, STEPS, waitForJob } from "./support.js";

for (const dialect of DIALECTS) {
  describe(`API flow on ${dialect}`, async () => {
    const api = await serverWithUsers(dialect);
    const { skip } = api;

    it("upload → submit → SSE events in order → completed → result and every format", { skip }, async () => {
      const up = await api.u.alice.upload(pngBytes(), "scan one.png");
      assert.equal(up.status, 201, up.text);
      assert.equal(up.json.duplicate, false);
      assert.equal(up.json.job, null);
      const doc = up.json.document;
      assert.equal(doc.mime_type, "image/png");
      assert.equal(doc.status, "uploaded");
      assert.match(doc.sha256, /^[0-9a-f]{64}$/);
      api.server.scripts.set(doc.id, { ocr: "progress:3:30" });

      const sse = new SseClient(api.server.base, `/api/v1/events?document_id=${doc.id}`, api.u.alice.token!);
      await sse.until("snapshot", (m) => m.some((x) => x.event === "snapshot"));
      const snapshot = sse.messages[0]!;
      assert.equal(snapshot.event, "snapshot");
      assert.equal(snapshot.data.documents[0].document.id, doc.id);

      const submit = await api.u.alice.req("POST", "/api/v1/ocr/submit", {
        json: { document_id: doc.id, languages: ["eng", "pol"], priority: 7 },
      });
      assert.equal(submit.status, 202, submit.text);
      const job = submit.json;
      assert.equal(job.status, "pending");
      assert.deepEqual(
        job.steps.map((s: { name: string }) => s.name),
        STEPS,
      );
      assert.equal(job.progress.total_steps, 3);
      assert.equal(job.ocr_mode, "document");
      assert.equal(job.resolution_mode, "base");
      assert.deepEqual(job.languages, ["eng", "pol"]);
      assert.deepEqual(job.outputs, ["txt", "md", "json", "hocr", "pdf"]);
      assert.equal(job.priority, 7);

      await sse.until("completed event", (m) =>
        m.some((x) => x.event === "job" && x.data.event.status === "completed" && x.data.event.step === null),
      );
      const events = sse.messages.filter((m) => m.event === "job");
      const ids = events.map((m) => Number(m.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        "event ids increase",
      );
      assert.equal(new Set(ids).size, ids.length, "no duplicates");
      const jobLevel = events.filter((m) => m.data.event.step === null).map((m) => m.data.event.status);
      assert.deepEqual(jobLevel, ["pending", "processing", "completed"]);
      const stepDone = events
        .filter((m) => m.data.event.step !== null && m.data.event.status === "success")
        .map((m) => m.data.event.step);
      assert.deepEqual(stepDone, STEPS);
      const last = events.at(-1)!;
      assert.equal(last.data.document_status.status, "completed");
      assert.equal(last.data.job.status, "completed");
      assert.equal(last.data.event.document_id, doc.id);
      await sse.close();

      const done = (await api.u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}`)).json;
      assert.equal(done.status, "completed");
      assert.equal(done.progress.percentage, 100);
      assert.ok(done.steps.every((s: { status: string }) => s.status === "success"));
      assert.ok(done.version > job.version);

      const result = await api.u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/result`);
      assert.equal(result.status, 200, result.text);
      assert.equal(result.json.text, `Hello from document ${doc.id}`);
      assert.match(result.json.markdown, /# Page 1/);
      assert.equal(result.json.confidence, 91.5);
      assert.equal(result.json.num_pages, 1);
      assert.ok(result.json.processing_time_ms >= 0);
      assert.deepEqual(result.json.formats.map((f: { format: string }) => f.format).sort(), [
        "hocr",
        "json",
        "md",
        "pdf",
        "txt",
      ]);
      for (const format of ["txt", "md", "json", "hocr", "pdf"]) {
        const file = await api.u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/result/${format}`);
        assert.equal(file.status, 200, `${format}: ${file.text}`);
        assert.match(
          file.headers.get("content-disposition") ?? "",
          new RegExp(`attachment; filename="scan one\\.${format}"`),
        );
      }
      assert.equal((await api.u.alice.req("GET", `/api/v1/ocr/jobs/${job.id}/result/docx`)).status, 400);

      const status = await api.u.alice.req("GET", `/api/v1/documents/${doc.id}/status`);
      assert.equal(status.json.status, "completed");
      assert.equal(status.headers.get("etag"), `"${status.json.version}"`);
      const history = await api.u.alice.req("GET", `/api/v1/documents/${doc.id}/history`);
      assert.ok(history.json.items.length >= 8);
      assert.equal(history.json.items[0].status, "pending");
      const got = await api.u.alice.req("GET", `/api/v1/documents/${doc.id}`);
      assert.equal(got.json.status, "completed");
      assert.equal(got.json.num_pages, 1);
      assert.equal(got.json.latest_job_id, job.id);
    });

    it("upload with process=true and options as form fields; PDF sniffed", { skip }, async () => {
      const up = await api.u.alice.upload(pdfBytes(), "report.pdf", {
        process: "true",
        ocr_mode: "handwritten",
        languages: "eng,pol",
        outputs: "txt",
        priority: "9",
      });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.json.document.mime_type, "application/pdf");
      assert.equal(up.json.job.ocr_mode, "handwritten");
      assert.deepEqual(up.json.job.languages, ["eng", "pol"]);
      assert.deepEqual(up.json.job.outputs, ["txt"]);
      assert.equal(up.json.job.priority, 9);
      const done = await waitForJob(api.u.alice, up.json.job.id, ["completed"]);
      assert.equal(done.status, "completed");
      const result = await api.u.alice.req("GET", `/api/v1/ocr/jobs/${done.id}/result`);
      assert.deepEqual(
        result.json.formats.map((f: { format: string }) => f.format),
        ["txt"],
      );
      assert.equal((await api.u.alice.req("GET", `/api/v1/ocr/jobs/${done.id}/result/pdf`)).status, 404);
    });

    it(
      "refuses an invalid type (415), a too-large file (413), no file (400), bad form options (400)",
      { skip },
      async () => {
        const bad = await api.u.alice.upload(
          new Uint8Array(Buffer.from("just some text, not a document")),
          "notes.pdf",
        );
        assert.equal(bad.status, 415, bad.text);
        assert.equal(bad.json.code, "unsupported_type");
        assert.match(bad.headers.get("content-type") ?? "", /application\/problem\+json/);
        const big = await api.u.alice.upload(pngBytes(400 * 1024), "big.png");
        assert.equal(big.status, 413, big.text);
        assert.equal(big.json.code, "file_too_large");
        const form = new FormData();
        form.append("process", "true");
        const none = await api.u.alice.req("POST", "/api/v1/documents/upload", { body: form });
        assert.equal(none.status, 400, none.text);
        assert.equal(none.json.code, "no_file");
        const opts = await api.u.alice.upload(pngBytes(), "x.png", { process: "true", priority: "11" });
        assert.equal(opts.status, 400, opts.text);
        assert.equal(opts.json.code, "validation_error");
        const unknown = await api.u.alice.upload(pngBytes(), "x.png", { colour: "blue" });
        assert.equal(unknown.status, 400, unknown.text);
        assert.match(unknown.json.detail, /colour/);
      },
    );

    it("answers a duplicate with the existing document and its latest job", { skip }, async () => {
      const bytes = pngBytes();
      const first = await api.u.alice.upload(bytes, "a.png", { process: "true" });
      assert.equal(first.status, 201);
      const second = await api.u.alice.upload(bytes, "b.png");
      assert.equal(second.status, 200, second.text);
      assert.equal(second.json.duplicate, true);
      assert.equal(second.json.document.id, first.json.document.id);
      assert.equal(second.json.job.id, first.json.job.id);
      // Another user uploading the same bytes gets their own document.
      const bobs = await api.u.bob.upload(bytes, "a.png");
      assert.equal(bobs.status, 201);
      assert.notEqual(bobs.json.document.id, first.json.document.id);
    });

    it(
      "lists documents with pagination, status filter, search and sort; gets and downloads one",
      { skip },
      async () => {
        const up = await api.u.bob.upload(pngBytes(), "Invoice März 2024.png");
        for (let i = 0; i < 4; i++) await api.u.bob.upload(pngBytes(), `page-${i}.png`);
        const page1 = await api.u.bob.req("GET", "/api/v1/documents?page=1&page_size=2");
        assert.equal(page1.status, 200);
        assert.equal(page1.json.items.length, 2);
        assert.equal(page1.json.page_size, 2);
        assert.ok(page1.json.total >= 6);
        const page2 = await api.u.bob.req("GET", "/api/v1/documents?page=2&page_size=2");
        assert.notEqual(page2.json.items[0].id, page1.json.items[0].id);
        const q = await api.u.bob.req("GET", `/api/v1/documents?q=${encodeURIComponent("märz")}`);
        assert.deepEqual(
          q.json.items.map((d: { id: string }) => d.id),
          [up.json.document.id],
        );
        const uploaded = await api.u.bob.req("GET", "/api/v1/documents?status=uploaded&sort=filename&page_size=100");
        assert.ok(uploaded.json.items.every((d: { status: string }) => d.status === "uploaded"));
        const names = uploaded.json.items.map((d: { filename: string }) => d.filename);
        assert.deepEqual(names, [...names].sort());
        assert.equal((await api.u.bob.req("GET", "/api/v1/documents?page_size=101")).status, 400);
        assert.equal((await api.u.bob.req("GET", "/api/v1/documents?status=bogus")).json.code, "validation_error");

        const got = await api.u.bob.req("GET", `/api/v1/documents/${up.json.document.id}`);
        assert.equal(got.status, 200);
        assert.equal(got.json.filename, "Invoice März 2024.png");
        const file = await fetch(`${api.server.base}/api/v1/documents/${up.json.document.id}/file`, {
          headers: { authorization: `Bearer ${api.u.bob.token}` },
        });
        assert.equal(file.status, 200);
        assert.equal(file.headers.get("content-type"), "image/png");
        assert.equal(
          file.headers.get("content-disposition"),
          `attachment; filename="Invoice M_rz 2024.png"; filename*=UTF-8''Invoice%20M%C3%A4rz%202024.png`,
        );
        assert.equal((await file.arrayBuffer()).byteLength, up.json.document.size_bytes);
      },
    );
  });
}
