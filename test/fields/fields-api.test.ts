/**
 * Fields and review through the real HTTP server, on SQLite and PostgreSQL, with the real OCR
 * pipeline on digital invoices (their text layers: no OCR needed): extraction as a planned
 * step, corrections with If-Match, approval and rejection moving the unified status in the
 * same transaction, every change in the history, the CSV, and a step table that still equals
 * the fold of its events.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { createUsers, startServer, waitFor, type Client, type TestServer, type Users } from "../api/support.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { INVALID_NIP, invoicePdf, sampleInvoice, VALID_NIP, type SimpleInvoice } from "./invoice-pdf.js";

const FINISHED = ["completed", "manual_review", "failed", "cancelled"];

for (const dialect of DIALECTS) {
  describe(`fields and review on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    let nonce = 0;

    before(async () => {
      if (skip) return;
      server = await startServer(
        dialect,
        { DOCKET_MAX_UPLOAD_MB: "5", DOCKET_OCR_LANGS: "eng" },
        { pipelines: (deps) => createPipelines(deps) },
      );
      u = await createUsers(server.base);
    });
    after(async () => {
      if (skip) return;
      await server.close();
    });

    /** Uploads an invoice with process=true and waits until its document is finished. */
    async function process(c: Client, overrides: Partial<SimpleInvoice> = {}, fields: Record<string, string> = {}) {
      const pdf = await invoicePdf(sampleInvoice({ nonce: `${dialect}-${++nonce}`, ...overrides }));
      const up = await c.upload(pdf, `invoice-${nonce}.pdf`, { process: "true", ...fields });
      assert.equal(up.status, 201, up.text);
      const id = up.json.document.id as string;
      const status = await waitFor(
        `document ${id} to finish`,
        async () => {
          const res = await c.req("GET", `/api/v1/documents/${id}/status`);
          return FINISHED.includes(res.json?.status) ? res.json : undefined;
        },
        60_000,
      );
      return { id, jobId: up.json.job.id as string, status };
    }

    it(
      "extracts an invoice's fields as a planned step, with sources, and completes when every check passes",
      { skip, timeout: 90_000 },
      async () => {
        const { id, jobId, status } = await process(u.alice);
        assert.equal(status.status, "completed", JSON.stringify(status));
        assert.equal(status.total_steps, 7);
        const job = (await u.alice.req("GET", `/api/v1/ocr/jobs/${jobId}`)).json;
        assert.deepEqual(
          job.steps.map((s: { name: string }) => s.name),
          ["validate", "check_text", "render_pages", "ocr", "assemble", "extract_fields", "export"],
        );
        assert.equal(job.extract, "auto");

        const res = await u.alice.req("GET", `/api/v1/documents/${id}/fields`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get("etag"), `"${res.json.version}"`);
        const f = res.json;
        assert.equal(f.document_type, "invoice");
        assert.equal(f.job_id, jobId);
        assert.equal(f.fields.document_number?.value, "FV/2024/03/15");
        assert.equal(f.fields.issue_date?.value, "2024-03-05");
        assert.equal(f.fields.due_date?.value, "2024-03-19");
        assert.equal(f.fields.total_gross?.value, "1230.00");
        assert.equal(f.fields.total_net?.value, "1000.00");
        assert.equal(f.fields.total_vat?.value, "230.00");
        assert.equal(f.fields.currency?.value, "PLN");
        assert.equal(f.fields.seller_tax_id?.value, VALID_NIP);
        assert.equal(f.fields.total_gross.origin, "rule");
        assert.equal(f.fields.total_gross.source.page, 1);
        assert.equal(f.fields.total_gross.source.bbox.length, 4);
        assert.ok(
          f.checks.every((c: { ok: boolean }) => c.ok),
          JSON.stringify(f.checks),
        );
        assert.equal(f.needs_review, false);
        assert.equal(f.review.state, "pending");

        // Conditional GET, and the result JSON carries the same object.
        const again = await u.alice.req("GET", `/api/v1/documents/${id}/fields`, {
          headers: { "if-none-match": `"${f.version}"` },
        });
        assert.equal(again.status, 304);
        const result = await u.alice.req("GET", `/api/v1/ocr/jobs/${jobId}/result`);
        assert.equal(result.json.fields.fields.total_gross.value, "1230.00");
        // Another user sees nothing of it.
        assert.equal((await u.bob.req("GET", `/api/v1/documents/${id}/fields`)).status, 404);
      },
    );

    it(
      "sends a document whose tax id fails its checksum to manual_review, never reporting that field as fine",
      { skip, timeout: 90_000 },
      async () => {
        const { id, status } = await process(u.alice, { sellerNip: INVALID_NIP });
        assert.equal(status.status, "manual_review", JSON.stringify(status));
        assert.match(status.message, /seller_tax_id/);
        const f = (await u.alice.req("GET", `/api/v1/documents/${id}/fields`)).json;
        const check = f.checks.find((c: { name: string }) => c.name === "seller_tax_id");
        assert.equal(check?.ok, false, JSON.stringify(f.checks));
        assert.ok(f.fields.seller_tax_id.confidence <= 0.3, `confidence ${f.fields.seller_tax_id.confidence}`);
        assert.equal(f.needs_review, true);
        const queue = await u.alice.req("GET", "/api/v1/review");
        const item = queue.json.items.find((d: { id: string }) => d.id === id);
        assert.ok(item, queue.text);
        assert.equal(item.status, "manual_review");
        assert.equal(item.document_type, "invoice");
        assert.match(item.review_reason, /seller_tax_id/);
        assert.ok(Date.parse(item.waiting_since) >= Date.parse(item.created_at));
        assert.ok(!(await u.bob.req("GET", "/api/v1/review")).json.items.some((d: { id: string }) => d.id === id));
      },
    );

    it(
      "corrects fields with If-Match (428 without, 412 when stale, 400 naming bad fields), re-runs the checks and records who changed what",
      { skip, timeout: 90_000 },
      async () => {
        const { id } = await process(u.alice, { sellerNip: INVALID_NIP });
        const before = await u.alice.req("GET", `/api/v1/documents/${id}/fields`);
        const version = before.json.version as number;
        const path = `/api/v1/documents/${id}/fields`;

        assert.equal(
          (await u.alice.req("PATCH", path, { json: { fields: { seller_tax_id: VALID_NIP } } })).json.code,
          "precondition_required",
        );
        const stale = await u.alice.req("PATCH", path, {
          json: { fields: { seller_tax_id: VALID_NIP } },
          headers: { "if-match": `"${version - 1}"` },
        });
        assert.equal(stale.status, 412, stale.text);
        assert.equal(stale.json.code, "version_mismatch");
        const bad = await u.alice.req("PATCH", path, {
          json: { fields: { colour: "red", issue_date: "not a date", total_gross: "lots" } },
          headers: { "if-match": `"${version}"` },
        });
        assert.equal(bad.status, 400, bad.text);
        assert.deepEqual(bad.json.errors.map((e: { field: string }) => e.field).sort(), [
          "fields.colour",
          "fields.issue_date",
          "fields.total_gross",
        ]);
        assert.equal(
          (
            await u.bob.req("PATCH", path, {
              json: { fields: { seller_tax_id: VALID_NIP } },
              headers: { "if-match": `"${version}"` },
            })
          ).status,
          404,
        );

        const fixed = await u.alice.req("PATCH", path, {
          json: { fields: { seller_tax_id: "526-025-02-74", payment_method: null } },
          headers: { "if-match": `"${version}"` },
        });
        assert.equal(fixed.status, 200, fixed.text);
        assert.ok(fixed.json.version > version);
        assert.equal(fixed.headers.get("etag"), `"${fixed.json.version}"`);
        assert.deepEqual(
          { ...fixed.json.fields.seller_tax_id, source: undefined },
          { value: VALID_NIP, raw: "526-025-02-74", confidence: 1, origin: "manual", source: undefined },
        );
        assert.equal(fixed.json.checks.find((c: { name: string }) => c.name === "seller_tax_id").ok, true);
        // Still in review until someone approves.
        assert.equal((await u.alice.req("GET", `/api/v1/documents/${id}/status`)).json.status, "manual_review");

        // A manual value that fails a check is judged like any other.
        const wrong = await u.alice.req("PATCH", path, {
          json: { fields: { total_gross: "999.99" } },
          headers: { "if-match": `"${fixed.json.version}"` },
        });
        assert.equal(wrong.status, 200, wrong.text);
        assert.equal(wrong.json.checks.find((c: { name: string }) => c.name === "totals").ok, false);
        assert.ok(wrong.json.fields.total_gross.confidence <= 0.3);

        const history = (await u.alice.req("GET", `/api/v1/documents/${id}/history`)).json.items as {
          status: string;
          detail: Record<string, unknown>;
        }[];
        const changes = history.filter((e) => e.status === "fields_updated").map((e) => e.detail);
        assert.deepEqual(
          changes.map((d) => [d.field, d.old, d.new, d.by]),
          [
            ["seller_tax_id", INVALID_NIP, VALID_NIP, "alice@example.test"],
            ["total_gross", "1230.00", "999.99", "alice@example.test"],
          ],
        );
      },
    );

    it(
      "lets exactly one of two racing corrections with the same If-Match win, and one of two racing decisions",
      { skip, timeout: 90_000 },
      async () => {
        const { id } = await process(u.alice, { sellerNip: INVALID_NIP });
        const { version } = (await u.alice.req("GET", `/api/v1/documents/${id}/fields`)).json;
        const path = `/api/v1/documents/${id}/fields`;
        const racing = await Promise.all(
          ["Alpha Sp. z o.o.", "Beta Sp. z o.o.", "Gamma Sp. z o.o."].map((name) =>
            u.alice.req("PATCH", path, {
              json: { fields: { seller_name: name } },
              headers: { "if-match": `"${version}"` },
            }),
          ),
        );
        assert.deepEqual(racing.map((r) => r.status).sort(), [200, 412, 412], racing.map((r) => r.text).join("\n"));
        const winner = racing.find((r) => r.status === 200)!.json.fields.seller_name.value;
        assert.equal((await u.alice.req("GET", path)).json.fields.seller_name.value, winner);
        const history = (await u.alice.req("GET", `/api/v1/documents/${id}/history`)).json.items as {
          status: string;
        }[];
        assert.equal(history.filter((e) => e.status === "fields_updated").length, 1);

        const decisions = await Promise.all(
          (["approve", "reject"] as const).map((decision) =>
            u.alice.req("POST", `/api/v1/documents/${id}/review`, { json: { decision } }),
          ),
        );
        assert.deepEqual(decisions.map((r) => r.status).sort(), [200, 409], decisions.map((r) => r.text).join("\n"));
        assert.equal(decisions.find((r) => r.status === 409)!.json.code, "not_reviewable");
        // A decision is final: no correction after it either.
        const late = await u.alice.req("PATCH", path, {
          json: { fields: { seller_name: "Delta" } },
          headers: { "if-match": "*" },
        });
        assert.equal(late.json.code, "not_reviewable");
        const status = (await u.alice.req("GET", `/api/v1/documents/${id}/status`)).json.status;
        assert.equal(
          status,
          decisions.find((r) => r.status === 200)!.json.review.state === "approved" ? "completed" : "failed",
        );
      },
    );

    it(
      "approval completes the document in the same change; rejection fails it with review_rejected and a retry extracts again without OCR",
      { skip, timeout: 120_000 },
      async () => {
        const a = await process(u.alice, { sellerNip: INVALID_NIP });
        const approve = await u.alice.req("POST", `/api/v1/documents/${a.id}/review`, {
          json: { decision: "approve", note: "checked by phone" },
        });
        assert.equal(approve.status, 200, approve.text);
        assert.equal(approve.json.review.state, "approved");
        assert.equal(approve.json.review.by, "alice@example.test");
        const approved = (await u.alice.req("GET", `/api/v1/documents/${a.id}/status`)).json;
        assert.equal(approved.status, "completed");
        assert.equal(approved.version, approve.json.version, "the status moved in the same change as the decision");
        assert.ok(!(await u.alice.req("GET", "/api/v1/review")).json.items.some((d: { id: string }) => d.id === a.id));

        const b = await process(u.alice, { sellerNip: INVALID_NIP });
        const reject = await u.alice.req("POST", `/api/v1/documents/${b.id}/review`, {
          json: { decision: "reject", note: "not our invoice" },
        });
        assert.equal(reject.status, 200, reject.text);
        const rejected = (await u.alice.req("GET", `/api/v1/documents/${b.id}/status`)).json;
        assert.equal(rejected.status, "failed");
        assert.equal(rejected.error.code, "review_rejected");
        assert.equal(rejected.phase, "extract_fields");
        assert.equal(rejected.can_retry, true);
        // A decision on a failed job is refused.
        assert.equal(
          (await u.alice.req("POST", `/api/v1/documents/${b.id}/review`, { json: { decision: "approve" } })).json.code,
          "not_reviewable",
        );

        const history = (await u.alice.req("GET", `/api/v1/documents/${b.id}/history`)).json.items as {
          id: string;
          status: string;
          step: string | null;
          detail: Record<string, unknown> | null;
        }[];
        assert.ok(
          history.some(
            (e) => e.status === "failed" && (e.detail?.review as { note?: string })?.note === "not our invoice",
          ),
        );
        const lastId = Number(history.at(-1)!.id);

        const retry = await u.alice.req("POST", `/api/v1/ocr/jobs/${b.jobId}/retry`);
        assert.equal(retry.status, 202, retry.text);
        const after = await waitFor(
          "the retried job to finish",
          async () => {
            const res = await u.alice.req("GET", `/api/v1/documents/${b.id}/status`);
            return FINISHED.includes(res.json?.status) && res.json.version > rejected.version ? res.json : undefined;
          },
          60_000,
        );
        assert.equal(after.status, "manual_review");
        const rerun = ((await u.alice.req("GET", `/api/v1/documents/${b.id}/history`)).json.items as typeof history)
          .filter((e) => Number(e.id) > lastId && e.status === "in_progress")
          .map((e) => e.step);
        assert.deepEqual(rerun, ["extract_fields", "export"]);
        assert.equal((await u.alice.req("GET", `/api/v1/documents/${b.id}/fields`)).json.review.state, "pending");

        // Every review transition kept the step table equal to the fold of the events.
        assert.deepEqual(await server.docket.engine.ledger.verify(), []);
      },
    );

    it(
      "plans no extraction with extract=off, and answers 409 not_ready for fields",
      { skip, timeout: 90_000 },
      async () => {
        const { id, status } = await process(u.alice, {}, { extract: "off" });
        assert.equal(status.status, "completed");
        assert.equal(status.total_steps, 6);
        const res = await u.alice.req("GET", `/api/v1/documents/${id}/fields`);
        assert.equal(res.status, 409);
        assert.equal(res.json.code, "not_ready");
        assert.equal(
          (await u.alice.upload(new Uint8Array([37, 80, 68, 70]), "x.pdf", { process: "true", extract: "sometimes" }))
            .json.code,
          "validation_error",
        );
      },
    );

    it("exports the caller's fields as CSV, filtered by status", { skip, timeout: 90_000 }, async () => {
      const res = await u.alice.req("GET", "/api/v1/fields.csv");
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
      const [header, ...rows] = res.text.trimEnd().split("\r\n");
      assert.equal(
        header,
        "document_id,filename,document_type,document_number,issue_date,sale_date,due_date,currency,total_net,total_vat,total_gross,seller_name,seller_tax_id,seller_address,buyer_name,buyer_tax_id,buyer_address,iban,payment_method,review_state",
      );
      assert.ok(rows.length >= 4, res.text);
      assert.ok(rows.every((r) => r.includes(",invoice,")));
      const review = await u.alice.req("GET", "/api/v1/fields.csv?status=manual_review");
      const reviewRows = review.text.trimEnd().split("\r\n").slice(1);
      assert.ok(reviewRows.length >= 1 && reviewRows.length < rows.length, review.text);
      const bob = await u.bob.req("GET", "/api/v1/fields.csv");
      assert.equal(bob.text.trimEnd().split("\r\n").length, 1, "bob has no documents");
    });
  });
}
