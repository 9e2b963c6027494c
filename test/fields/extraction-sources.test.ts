/**
 * Where fields come from, end to end through the real server: a template in
 * DOCKET_TEMPLATES_DIR beats the generic rules (origin "template"), and the optional LLM — a
 * real local HTTP server speaking the OpenAI chat-completions protocol, since no model runs
 * here — fills what neither found (origin "llm"), judged by the same checks. When the LLM is
 * down the rules' fields still stand and the step says so.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPipelines } from "../../src/pipeline/pipelines.js";
import { createUsers, startServer, waitFor, type TestServer, type Users } from "../api/support.js";
import { invoicePdf, sampleInvoice } from "./invoice-pdf.js";

const TEMPLATE = `issuer: Kowalski Consulting (template)
keywords:
  - Kowalski Consulting
fields:
  invoice_number: Faktura VAT nr\\s+(\\S+)
  date: Data wystawienia:\\s+(\\d{2}\\.\\d{2}\\.\\d{4})
  amount: Do zaplaty:\\s+([\\d ]+,\\d{2})
options:
  currency: PLN
  date_formats:
    - '%d.%m.%Y'
  decimal_separator: ','
`;

/** An OpenAI-compatible chat endpoint that answers with fixed fields, and can be switched off. */
class FakeChatServer {
  readonly requests: { body: Record<string, unknown>; auth: string | undefined }[] = [];
  down = false;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        if (this.down) {
          res
            .writeHead(503, { "content-type": "application/json" })
            .end(JSON.stringify({ error: { message: "model loading" } }));
          return;
        }
        this.requests.push({ body: JSON.parse(text) as Record<string, unknown>, auth: req.headers.authorization });
        const answer = {
          document_type: "invoice",
          fields: {
            payment_method: { value: "przelew", raw: "przelew" },
            document_number: { value: "WRONG-1", raw: "WRONG-1" },
          },
        };
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id: "c1",
            object: "chat.completion",
            model: "test-model",
            choices: [
              { index: 0, finish_reason: "stop", message: { role: "assistant", content: JSON.stringify(answer) } },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("template and LLM extraction through the API", () => {
  let server: TestServer;
  let u: Users;
  let templatesDir: string;
  const chat = new FakeChatServer();

  before(async () => {
    templatesDir = await mkdtemp(join(tmpdir(), "docket-templates-"));
    await writeFile(join(templatesDir, "kowalski.yml"), TEMPLATE);
    const llmUrl = await chat.start();
    server = await startServer(
      "sqlite",
      {
        DOCKET_MAX_UPLOAD_MB: "5",
        DOCKET_TEMPLATES_DIR: templatesDir,
        DOCKET_LLM_URL: llmUrl,
        DOCKET_LLM_MODEL: "test-model",
        DOCKET_LLM_API_KEY: "sk-test-key",
      },
      { pipelines: (deps) => createPipelines(deps) },
    );
    u = await createUsers(server.base);
  });
  after(async () => {
    await server?.close();
    await chat.stop();
    await rm(templatesDir, { recursive: true, force: true });
  });

  async function processInvoice(nonce: string) {
    const up = await u.alice.upload(await invoicePdf(sampleInvoice({ nonce })), `${nonce}.pdf`, { process: "true" });
    assert.equal(up.status, 201, up.text);
    const id = up.json.document.id as string;
    await waitFor(
      "the job to finish",
      async () => {
        const s = (await u.alice.req("GET", `/api/v1/documents/${id}/status`)).json;
        return ["completed", "manual_review", "failed"].includes(s?.status) ? s : undefined;
      },
      60_000,
    );
    return { id, jobId: up.json.job.id as string };
  }

  it(
    "a matching template beats the rules, the LLM fills the rest, and every field is judged by the same checks",
    { timeout: 90_000 },
    async () => {
      const { id, jobId } = await processInvoice("with-template");
      const f = (await u.alice.req("GET", `/api/v1/documents/${id}/fields`)).json;
      assert.equal(f.template, "kowalski");
      assert.equal(f.fields.document_number.origin, "template", "the template's number wins over the LLM's");
      assert.equal(f.fields.document_number.value, "FV/2024/03/15");
      assert.equal(f.fields.issue_date.value, "2024-03-05");
      assert.equal(f.fields.total_gross.value, "1230.00");
      assert.ok(f.fields.total_gross.source, "a template field keeps the box it was read from");
      assert.equal(f.fields.seller_tax_id.origin, "rule", "what the template does not name, the rules still find");
      assert.equal(f.fields.payment_method.origin, "llm");
      assert.equal(f.fields.payment_method.value, "transfer");
      assert.ok(f.fields.payment_method.confidence < 1);

      const request = chat.requests.at(-1)!;
      assert.equal(request.auth, "Bearer sk-test-key");
      assert.equal(request.body.model, "test-model");
      const job = (await u.alice.req("GET", `/api/v1/ocr/jobs/${jobId}`)).json;
      assert.equal(job.steps.find((s: { name: string }) => s.name === "extract_fields").status, "success");
    },
  );

  it("when the LLM is down, the rules' fields stand and the document is not failed", { timeout: 90_000 }, async () => {
    chat.down = true;
    try {
      const { id } = await processInvoice("llm-down");
      const status = (await u.alice.req("GET", `/api/v1/documents/${id}/status`)).json;
      assert.equal(status.status, "completed", JSON.stringify(status));
      const f = (await u.alice.req("GET", `/api/v1/documents/${id}/fields`)).json;
      assert.equal(f.fields.payment_method, undefined);
      assert.equal(f.fields.total_gross.value, "1230.00");
      const history = (await u.alice.req("GET", `/api/v1/documents/${id}/history`)).json.items as {
        step: string | null;
        status: string;
        detail: { result?: { llm?: string } } | null;
      }[];
      assert.equal(
        history.find((e) => e.step === "extract_fields" && e.status === "success")?.detail?.result?.llm,
        "unavailable",
      );
    } finally {
      chat.down = false;
    }
  });
});
