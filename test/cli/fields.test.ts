/**
 * `docket fields`, `fields set`, `review ls|approve|reject` and `export fields --csv` as a
 * person runs them: a real `docket` subprocess, remote (HTTP to a real server on a loopback
 * port) and local (the SQLite file directly, running the jobs in-process), both with the real
 * OCR pipeline on generated digital invoices (their text layers: no OCR engine needed).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from "pdf-lib";
import { FIELD_NAMES } from "../../src/extraction/types.js";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { client, startServer, type TestServer } from "../api/support.js";
import { INVALID_NIP, invoicePdf, sampleInvoice, VALID_NIP, type SimpleInvoice } from "../fields/invoice-pdf.js";
import { FixtureDir } from "../fixtures/generate.js";
import { adminToken, runCli, type CliOptions, type CliRun } from "./support.js";

const ADMIN = "admin@example.test";
const CSV_HEADER = ["document_id", "filename", "document_type", ...FIELD_NAMES, "review_state"].join(",");

/** RFC 4180 records (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      records.push([...record, cell]);
      record = [];
      cell = "";
      i++;
    } else cell += c;
  }
  assert.equal(`${cell}${record.join("")}`, "", "every record ends with CRLF");
  return records;
}

interface Mode {
  name: "remote" | "local";
  start(): Promise<{
    env: Record<string, string>;
    close(): Promise<void>;
    history?: (documentId: string) => Promise<{ status: string; detail: Record<string, unknown> | null }[]>;
  }>;
}

const MODES: Mode[] = [
  {
    name: "remote",
    async start() {
      const server: TestServer = await startServer(
        "sqlite",
        { DOCKET_MAX_UPLOAD_MB: "5", DOCKET_OCR_LANGS: "eng" },
        { pipelines: (deps) => createPipelines(deps) },
      );
      const token = await adminToken(server.base);
      const api = client(server.base, token);
      return {
        env: { DOCKET_URL: server.base, DOCKET_TOKEN: token },
        close: () => server.close(),
        history: async (id) => (await api.req("GET", `/api/v1/documents/${id}/history`)).json.items,
      };
    },
  },
  {
    name: "local",
    async start() {
      const dataDir = mkdtempSync(join(tmpdir(), "docket-cli-fields-"));
      return {
        // The first command makes the admin from these; the jobs run in the command's process.
        env: {
          DOCKET_DATA_DIR: dataDir,
          DOCKET_WORKERS: "1",
          DOCKET_OCR_LANGS: "eng",
          DOCKET_ADMIN_EMAIL: ADMIN,
          DOCKET_ADMIN_PASSWORD: "admin-password",
        },
        close: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
  },
];

for (const mode of MODES) {
  describe(`docket fields and review (${mode.name} mode)`, () => {
    let env: Record<string, string>;
    let close: () => Promise<void>;
    let history:
      ((documentId: string) => Promise<{ status: string; detail: Record<string, unknown> | null }[]>) | undefined;
    let files: FixtureDir;
    let nonce = 0;
    const docket = (args: string[], options: CliOptions = {}): Promise<CliRun> =>
      runCli(args, { timeoutMs: 120_000, ...options, env: { ...env, ...options.env } });

    before(async () => {
      ({ env, close, history } = await mode.start());
      files = await FixtureDir.create();
    });
    after(async () => {
      await close();
      await files.remove();
    });

    /** Adds a generated invoice with `docket add --wait --json`; returns its ids and final status. */
    async function addInvoice(overrides: Partial<SimpleInvoice> = {}, args: string[] = []) {
      const name = `invoice-${mode.name}-${++nonce}.pdf`;
      const file = await files.write(
        name,
        await invoicePdf(sampleInvoice({ nonce: `${mode.name}-${nonce}`, ...overrides })),
      );
      const run = await docket(["add", file, "--wait", "--json", ...args]);
      assert.notEqual(run.code, 2, run.stderr);
      const result = JSON.parse(run.stdout) as {
        files: {
          document: { id: string };
          job: { id: string; steps: { name: string }[] };
          status: { status: string };
        }[];
      };
      const entry = result.files[0]!;
      return {
        name,
        id: entry.document.id,
        jobId: entry.job.id,
        status: entry.status.status,
        steps: entry.job.steps.map((s) => s.name),
      };
    }

    it(
      "shows an invoice's fields as a table and as the API's JSON, by document or job id; the searchable PDF carries them",
      { timeout: 240_000 },
      async () => {
        const inv = await addInvoice({}, ["--extract", "invoice"]);
        assert.equal(inv.status, "completed");
        assert.ok(inv.steps.includes("extract_fields"), inv.steps.join(","));

        const shown = await docket(["fields", inv.id]);
        assert.equal(shown.code, 0, shown.stderr);
        assert.match(
          shown.stdout,
          new RegExp(`^document\\s+${inv.id}  ${inv.name.replace(/\./g, "\\.")} \\(completed\\)$`, "m"),
        );
        assert.match(shown.stdout, /^type\s+invoice \(\d+%\)$/m);
        assert.match(shown.stdout, /^review\s+pending — nothing to review$/m);
        assert.match(shown.stdout, /^FIELD\s+VALUE\s+CONF\s+ORIGIN\s+CHECK$/m);
        assert.match(shown.stdout, /^document_number\s+FV\/2024\/03\/15\s+\d+%\s+rule/m);
        assert.match(shown.stdout, /^total_gross\s+1230\.00\s+\d+%\s+rule\s+✓$/m);
        assert.match(shown.stdout, new RegExp(`^seller_tax_id\\s+${VALID_NIP}\\s+\\d+%\\s+rule\\s+✓$`, "m"));
        assert.match(shown.stdout, /^checks$/m);
        assert.doesNotMatch(shown.stdout, /✗/);

        const json = await docket(["fields", inv.jobId, "--json"]);
        assert.equal(json.code, 0, json.stderr);
        const fields = JSON.parse(json.stdout) as {
          document_id: string;
          job_id: string;
          document_type: string;
          fields: Record<string, { value: string; origin: string }>;
          version: number;
        };
        assert.equal(fields.document_id, inv.id, "a job id stands for its document");
        assert.equal(fields.job_id, inv.jobId);
        assert.equal(fields.fields.issue_date?.value, "2024-03-05");
        assert.equal(fields.fields.total_gross?.value, "1230.00");

        const pdfPath = join(files.path, `${mode.name}.ocr.pdf`);
        const saved = await docket(["result", inv.id, "--format", "pdf", "-o", pdfPath]);
        assert.equal(saved.code, 0, saved.stderr);
        const pdf = await PDFDocument.load(await readFile(pdfPath), { updateMetadata: false });
        const info = pdf.context.lookup(pdf.context.trailerInfo.Info, PDFDict);
        const text = (key: string) => {
          const value = info.lookup(PDFName.of(key));
          return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;
        };
        assert.equal(text("DocketDocumentType"), "invoice");
        assert.deepEqual(
          JSON.parse(text("DocketFields") ?? "{}"),
          Object.fromEntries(FIELD_NAMES.filter((n) => fields.fields[n]).map((n) => [n, fields.fields[n]!.value])),
        );
        assert.ok(pdf.catalog.get(PDFName.of("Metadata")), "an XMP packet");
      },
    );

    it(
      "lists a document in review with its reason, corrects it with fields set, and approving completes it",
      { timeout: 240_000 },
      async () => {
        const inv = await addInvoice({ sellerNip: INVALID_NIP });
        assert.equal(inv.status, "manual_review");

        const queue = await docket(["review", "ls"]);
        assert.equal(queue.code, 0, queue.stderr);
        assert.match(queue.stdout, /^ID\s+WAITING SINCE\s+FILE\s+REASON$/m);
        const row = queue.stdout.split("\n").find((l) => l.startsWith(inv.id));
        assert.ok(row, queue.stdout);
        assert.match(
          row,
          new RegExp(
            `^${inv.id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\([^)]+\\)\\s+${inv.name.replace(/\./g, "\\.")}\\s+.*seller_tax_id`,
          ),
        );
        const queueJson = JSON.parse((await docket(["review", "ls", "--json"])).stdout) as {
          items: { id: string; waiting_since: string; review_reason: string }[];
          total: number;
        };
        const entry = queueJson.items.find((i) => i.id === inv.id);
        assert.ok(entry, JSON.stringify(queueJson));
        assert.ok(queueJson.total >= 1);
        assert.ok(Date.parse(entry.waiting_since) <= Date.now());
        assert.match(entry.review_reason, /seller_tax_id/);

        const shown = await docket(["fields", inv.id]);
        assert.match(shown.stdout, /^review\s+pending — needs review: .*seller_tax_id/m);
        assert.match(shown.stdout, new RegExp(`^seller_tax_id\\s+${INVALID_NIP}\\s+\\d+%\\s+rule\\s+✗$`, "m"));
        assert.match(shown.stdout, /^\s+✗ seller_tax_id\s+\S/m);

        const bad = await docket(["fields", "set", inv.id, "colour=red", "issue_date=someday"]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /fields\.colour: unknown field.*fields\.issue_date: .*\(400 validation_error\)/);
        const usage = await docket(["fields", "set", inv.id, "seller_tax_id"]);
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /expected name=value \(or name= to clear\), got "seller_tax_id"/);

        const set = await docket(["fields", "set", inv.id, "seller_tax_id=526-025-02-74", "payment_method=", "--json"]);
        assert.equal(set.code, 0, set.stderr);
        assert.match(set.stderr, /^changed seller_tax_id \(version \d+\)$/m);
        const corrected = JSON.parse(set.stdout) as {
          fields: Record<string, { value: string; origin: string; confidence: number }>;
          checks: { name: string; ok: boolean }[];
        };
        const nip = corrected.fields.seller_tax_id;
        assert.deepEqual([nip?.value, nip?.origin, nip?.confidence], [VALID_NIP, "manual", 1]);
        assert.equal(corrected.fields.payment_method, undefined, "cleared");
        assert.equal(corrected.checks.find((c) => c.name === "seller_tax_id")?.ok, true);
        const table = await docket(["fields", inv.id]);
        assert.match(table.stdout, new RegExp(`^seller_tax_id\\s+${VALID_NIP}\\s+100%\\s+manual\\s+✓$`, "m"));
        const same = await docket(["fields", "set", inv.id, `seller_tax_id=${VALID_NIP}`]);
        assert.equal(same.code, 0, same.stderr);
        assert.match(same.stderr, /nothing changed/);

        const approve = await docket(["review", "approve", inv.id, "--note", "NIP checked by phone"]);
        assert.equal(approve.code, 0, approve.stderr);
        assert.equal(approve.stdout.trim(), `approved ${inv.id} (${inv.name}): completed`);
        const status = JSON.parse((await docket(["status", inv.id, "--json"])).stdout) as {
          status: { status: string };
        };
        assert.equal(status.status.status, "completed");
        assert.match(
          (await docket(["fields", inv.id])).stdout,
          new RegExp(`^review\\s+approved by ${ADMIN} at \\d{4}-.*: NIP checked by phone$`, "m"),
        );
        assert.ok(!(await docket(["review", "ls"])).stdout.includes(inv.id), "no longer waiting");
        if (history) {
          const events = await history(inv.id);
          assert.ok(
            events.some(
              (e) =>
                e.status === "fields_updated" &&
                e.detail?.field === "seller_tax_id" &&
                e.detail.new === VALID_NIP &&
                e.detail.by === ADMIN,
            ),
            JSON.stringify(events),
          );
          assert.ok(events.some((e) => e.status === "review_approved" && e.detail?.note === "NIP checked by phone"));
        }
      },
    );

    it(
      "rejecting fails the job with review_rejected; one unknown id among several exits 2 without stopping the rest",
      { timeout: 240_000 },
      async () => {
        const inv = await addInvoice({ sellerNip: INVALID_NIP });
        assert.equal(inv.status, "manual_review");
        const reject = await docket([
          "review",
          "reject",
          "no-such-document",
          inv.id,
          "--note",
          "not our invoice",
          "--json",
        ]);
        assert.equal(reject.code, 2, reject.stderr);
        const out = JSON.parse(reject.stdout) as {
          results: { document_id: string; review: { state: string; note: string } }[];
          errors: { id: string; code: string }[];
        };
        assert.deepEqual(
          out.errors.map((e) => [e.id, e.code]),
          [["no-such-document", "not_found"]],
        );
        assert.deepEqual(
          out.results.map((r) => [r.document_id, r.review.state, r.review.note]),
          [[inv.id, "rejected", "not our invoice"]],
        );
        const status = await docket(["status", inv.id]);
        assert.equal(status.code, 1, "a failed job exits 1");
        assert.match(status.stdout, /^status\s+failed — extract_fields.*\(review_rejected\)$/m);
        const again = await docket(["review", "approve", inv.id]);
        assert.equal(again.code, 2);
        assert.match(again.stderr, /\(409 not_reviewable\)/);
      },
    );

    it(
      "export fields --csv streams one row per document, filtered by status, to stdout or a file; fields of an unprocessed document are not ready",
      { timeout: 240_000 },
      async () => {
        const done = await addInvoice({ number: "FV/CSV/1", gross: "2 460,00", net: "2 000,00", vat: "460,00" });
        assert.equal(done.status, "completed");
        const waiting = await addInvoice({ number: "FV/CSV/2", sellerNip: INVALID_NIP });
        assert.equal(waiting.status, "manual_review");
        const column = (name: string) => CSV_HEADER.split(",").indexOf(name);

        const all = await docket(["export", "fields", "--csv"]);
        assert.equal(all.code, 0, all.stderr);
        const [header, ...rows] = parseCsv(all.stdout);
        assert.equal(header?.join(","), CSV_HEADER);
        assert.ok(
          rows.every((r) => r.length === header?.length),
          "every row has every column",
        );
        const row = rows.find((r) => r[0] === done.id);
        assert.ok(row, all.stdout);
        assert.equal(row[column("filename")], done.name);
        assert.equal(row[column("document_number")], "FV/CSV/1");
        assert.equal(row[column("total_gross")], "2460.00");
        assert.equal(row[column("review_state")], "pending");
        assert.equal(row[column("seller_address")], "ul. Prosta 1, 00-001 Warszawa", "a cell with a comma, quoted");
        assert.ok(rows.some((r) => r[0] === waiting.id));

        const path = join(files.path, "review.csv");
        const saved = await docket(["export", "fields", "--csv", "--status", "manual_review", "-o", path]);
        assert.equal(saved.code, 0, saved.stderr);
        assert.match(saved.stderr, /^saved .*review\.csv \(\d+(\.\d)? (B|KB)\)$/m);
        const [savedHeader, ...savedRows] = parseCsv(await readFile(path, "utf8"));
        assert.equal(savedHeader?.join(","), CSV_HEADER);
        const ids = savedRows.map((r) => r[0]);
        assert.ok(ids.includes(waiting.id) && !ids.includes(done.id), `only documents in review: ${ids.join(" ")}`);

        const uploaded = await docket([
          "add",
          await files.write(
            `unprocessed-${mode.name}.pdf`,
            await invoicePdf(sampleInvoice({ nonce: `plain-${mode.name}` })),
          ),
          "--no-process",
          "--json",
        ]);
        const id = (JSON.parse(uploaded.stdout) as { files: { document: { id: string } }[] }).files[0]!.document.id;
        const notReady = await docket(["fields", id]);
        assert.equal(notReady.code, 2);
        assert.match(notReady.stderr, /\(409 not_ready\)/);
      },
    );
  });
}
