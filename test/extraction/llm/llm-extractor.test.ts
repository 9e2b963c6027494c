/**
 * The LLM extractor against a real HTTP server on loopback that speaks the OpenAI chat
 * completions protocol (no model runs here): the request it sends, how it reads answers, and
 * how it fails.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, beforeEach, describe, it } from "node:test";
import { DocketError } from "../../../src/errors.js";
import { buildDocumentText } from "../../../src/extraction/document-text.js";
import { createLlmExtractor } from "../../../src/extraction/llm/llm-extractor.js";
import { FIELD_NAMES } from "../../../src/extraction/types.js";
import { createLogger, silentLogger } from "../../../src/logger.js";
import { cellBox, modelFromLayout } from "../templates/support.js";
import { chatAnswer, ChatServer } from "./chat-server.js";

const INVOICE = [
  "ACME Sp. z o.o.                        Faktura VAT nr FV/12/2024",
  "NIP 525-000-00-03                      Data wystawienia: 05.03.2024",
  "",
  "Razem do zapłaty:   1 338,00 PLN",
];
const dt = buildDocumentText(modelFromLayout([INVOICE]));
const KEY = "sk-test-secret-key-123";

function answerJson(
  fields: Record<string, { value: string | null; raw: string | null }>,
  documentType = "invoice",
): string {
  const all = Object.fromEntries(FIELD_NAMES.map((n) => [n, fields[n] ?? { value: null, raw: null }]));
  return JSON.stringify({ document_type: documentType, fields: all });
}

const GOOD = answerJson({
  document_number: { value: "FV/12/2024", raw: "FV/12/2024" },
  issue_date: { value: "2024-03-05", raw: "05.03.2024" },
  total_gross: { value: "1338.00", raw: "1 338,00" },
  currency: { value: "PLN", raw: "PLN" },
  seller_name: { value: "ACME Sp. z o.o.", raw: "ACME Sp. z o.o." },
  seller_tax_id: { value: "5250000003", raw: "525-000-00-03" },
});

function capture() {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return { log: createLogger({ level: "info", destination: stream }), text: () => text };
}

describe("LLM extractor over an OpenAI-compatible server", () => {
  const server = new ChatServer();
  let url: string;
  const never = new AbortController().signal;

  before(async () => {
    url = await server.start();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.closedEarly = 0;
  });

  it("posts the model, the messages, temperature 0, a strict JSON schema and the bearer key", async () => {
    server.respond = () => ({ body: chatAnswer(GOOD) });
    const llm = createLlmExtractor(
      { url: `${url}/`, model: "qwen2.5:7b", apiKey: KEY, timeoutMs: 5_000 },
      { log: silentLogger() },
    );
    await llm.extract(dt, "auto", never);
    assert.equal(server.requests.length, 1);
    const req = server.requests[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/v1/chat/completions");
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.match(String(req.headers["content-type"]), /^application\/json/);
    assert.equal(req.body.model, "qwen2.5:7b");
    assert.equal(req.body.temperature, 0);
    assert.deepEqual(
      req.body.messages.map((m: { role: string }) => m.role),
      ["system", "user"],
    );
    assert.match(req.body.messages[1].content, /Classify it as invoice, receipt or other/);
    assert.ok(req.body.messages[1].content.includes("Faktura VAT nr FV/12/2024"), "the document's text is sent");
    const format = req.body.response_format;
    assert.equal(format.type, "json_schema");
    assert.equal(format.json_schema.strict, true);
    const schema = format.json_schema.schema;
    assert.deepEqual(schema.required, ["document_type", "fields"]);
    assert.deepEqual(schema.properties.fields.required, [...FIELD_NAMES]);
    assert.equal(schema.properties.fields.additionalProperties, false);
    assert.deepEqual(schema.properties.fields.properties.issue_date.properties.value.type, ["string", "null"]);

    // No key configured: no Authorization header at all.
    await createLlmExtractor({ url, model: "m", apiKey: undefined, timeoutMs: 5_000 }, { log: silentLogger() }).extract(
      dt,
      "invoice",
      never,
    );
    assert.equal(server.requests[1]!.headers.authorization, undefined);
    assert.match(server.requests[1]!.body.messages[1].content, /^It is an invoice\./);
  });

  it("reads the answer as candidates: normalised values, the printed text, source boxes, origin llm", async () => {
    server.respond = () => ({ body: chatAnswer(GOOD) });
    const llm = createLlmExtractor({ url, model: "m", apiKey: KEY, timeoutMs: 5_000 }, { log: silentLogger() });
    const { document_type, candidates } = await llm.extract(dt, "auto", never);
    assert.equal(document_type, "invoice");
    const values = Object.fromEntries(Object.entries(candidates.fields).map(([k, f]) => [k, f!.value]));
    assert.deepEqual(values, {
      document_number: "FV/12/2024",
      issue_date: "2024-03-05",
      currency: "PLN",
      total_gross: "1338.00",
      seller_name: "ACME Sp. z o.o.",
      seller_tax_id: "5250000003",
    });
    const number = candidates.fields.document_number!;
    assert.equal(number.origin, "llm");
    assert.ok(number.confidence > 0.5 && number.confidence < 0.9);
    assert.deepEqual(number.source, { page: 1, bbox: cellBox(0, 54, "FV/12/2024") });
    assert.equal(candidates.fields.total_gross!.raw, "1 338,00");
    assert.deepEqual(candidates.line_items, []);
  });

  it("reads fenced JSON with words around it, a bare value, a value only printed, and drops what cannot be read", async () => {
    const content = [
      "Sure! Here is the extraction:",
      "```json",
      JSON.stringify({
        document_type: "invoice",
        fields: {
          document_number: "FV/12/2024",
          total_gross: { value: null, raw: "1 338,00" },
          issue_date: { value: "the fifth of March", raw: "sometime" },
          due_date: { value: "2024-04-01", raw: "01.04.2024" },
          iban: { value: null, raw: null },
        },
      }),
      "```",
      "Let me know if you need anything else.",
    ].join("\n");
    server.respond = () => ({ body: chatAnswer(content) });
    const out = capture();
    const llm = createLlmExtractor({ url, model: "m", apiKey: KEY, timeoutMs: 5_000 }, { log: out.log });
    const { candidates } = await llm.extract(dt, "auto", never);
    assert.equal(candidates.fields.document_number?.value, "FV/12/2024");
    assert.equal(candidates.fields.total_gross?.value, "1338.00");
    assert.equal(candidates.fields.issue_date, undefined, "an unreadable date is dropped");
    assert.equal(candidates.fields.iban, undefined);
    // A value whose text is nowhere in the document may be invented: kept, but doubted.
    const due = candidates.fields.due_date!;
    assert.equal(due.value, "2024-04-01");
    assert.equal(due.source, null);
    assert.ok(due.confidence < candidates.fields.document_number!.confidence);
    assert.match(out.text(), /"field":"issue_date".*LLM field dropped/);
    assert.ok(!out.text().includes("fifth of March"), "no document or answer text in the info log");
    assert.ok(!out.text().includes(KEY), "never the key");
  });

  it("asks again with json_object when the server does not take a json_schema", async () => {
    server.respond = (req) =>
      req.body.response_format.type === "json_schema"
        ? {
            status: 400,
            body: {
              error: {
                message: "response_format.type json_schema is not supported by this model",
                type: "invalid_request_error",
              },
            },
          }
        : { body: chatAnswer(GOOD) };
    const llm = createLlmExtractor({ url, model: "m", apiKey: KEY, timeoutMs: 5_000 }, { log: silentLogger() });
    const { candidates } = await llm.extract(dt, "auto", never);
    assert.equal(candidates.fields.document_number?.value, "FV/12/2024");
    assert.deepEqual(
      server.requests.map((r) => r.body.response_format.type),
      ["json_schema", "json_object"],
    );
  });

  it("classifies failures: 5xx and 429 transient, other 4xx permanent with what to check, no JSON permanent", async () => {
    const llm = createLlmExtractor({ url, model: "m", apiKey: KEY, timeoutMs: 5_000 }, { log: silentLogger() });
    const failsWith = async (reply: { status: number; body: unknown }, permanent: boolean, message: RegExp) => {
      server.respond = () => reply;
      await assert.rejects(llm.extract(dt, "auto", never), (e: unknown) => {
        assert.ok(e instanceof DocketError, String(e));
        assert.equal(e.code, "llm_unavailable");
        assert.equal(e.permanent, permanent, e.message);
        assert.match(e.message, message);
        assert.ok(!e.message.includes(KEY));
        return true;
      });
    };
    await failsWith(
      { status: 500, body: { error: { message: "CUDA out of memory" } } },
      false,
      /answered 500: CUDA out of memory/,
    );
    await failsWith({ status: 503, body: "<html>Bad gateway</html>" }, false, /answered 503/);
    await failsWith({ status: 429, body: { error: { message: "rate limit" } } }, false, /answered 429/);
    await failsWith(
      { status: 401, body: { error: { message: "invalid api key" } } },
      true,
      /refused the request with 401: invalid api key \(check DOCKET_LLM_API_KEY\)/,
    );
    await failsWith(
      { status: 404, body: { error: { message: "model 'm' not found" } } },
      true,
      /404.*DOCKET_LLM_MODEL "m"/,
    );
    await failsWith({ status: 200, body: chatAnswer("I cannot read this document.") }, true, /holds no JSON object/);
    await failsWith({ status: 200, body: "not json at all" }, false, /not JSON/);
  });

  it("gives up after the timeout, transiently", async () => {
    server.respond = () => ({ body: chatAnswer(GOOD), delayMs: 3_000 });
    const llm = createLlmExtractor({ url, model: "m", apiKey: KEY, timeoutMs: 150 }, { log: silentLogger() });
    await assert.rejects(
      llm.extract(dt, "auto", never),
      (e: unknown) =>
        e instanceof DocketError &&
        e.code === "llm_unavailable" &&
        !e.permanent &&
        /did not answer within/.test(e.message),
    );
  });

  it("stops when the job is cancelled: the caller's reason, and the connection closed", async () => {
    server.respond = () => "hang";
    const llm = createLlmExtractor({ url, model: "m", apiKey: KEY, timeoutMs: 60_000 }, { log: silentLogger() });
    const controller = new AbortController();
    const pending = llm.extract(dt, "auto", controller.signal);
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const reason = new DocketError("cancelled", "job cancelled");
    controller.abort(reason);
    await assert.rejects(pending, (e: unknown) => e === reason);
    for (let i = 0; i < 200 && server.closedEarly === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(server.closedEarly, 1);
    // Already cancelled: no request at all.
    await assert.rejects(llm.extract(dt, "auto", controller.signal), (e: unknown) => e === reason);
    assert.equal(server.requests.length, 1);
  });

  it("reports an unreachable server as transient", async () => {
    const gone = new ChatServer();
    const goneUrl = await gone.start();
    await gone.close();
    const llm = createLlmExtractor(
      { url: goneUrl, model: "m", apiKey: KEY, timeoutMs: 5_000 },
      { log: silentLogger() },
    );
    await assert.rejects(
      llm.extract(dt, "auto", never),
      (e: unknown) =>
        e instanceof DocketError &&
        e.code === "llm_unavailable" &&
        !e.permanent &&
        /unreachable \(ECONNREFUSED\)/.test(e.message),
    );
  });

  it("sends a long document shortened: the first pages and the last, with a note", async () => {
    server.respond = () => ({ body: chatAnswer(GOOD) });
    const pages = Array.from({ length: 8 }, (_, i) => [
      `Page ${i + 1} heading`,
      ...Array.from({ length: 20 }, (_, r) => `row ${r} of page ${i + 1}      ${"x".repeat(40)}`),
    ]);
    const long = buildDocumentText(modelFromLayout(pages));
    const llm = createLlmExtractor(
      { url, model: "m", apiKey: KEY, timeoutMs: 5_000 },
      { log: silentLogger(), maxDocumentChars: 4_000 },
    );
    await llm.extract(long, "auto", never);
    const content: string = server.requests[0]!.body.messages[1].content;
    assert.ok(content.includes("Page 1 heading") && content.includes("Page 8 heading"));
    assert.ok(!content.includes("Page 5 heading"));
    assert.match(content, /The text is shortened: \d+ page\(s\) between page \d and page 8 are left out\./);
    assert.ok(content.length < 4_000 + 1_000, "within the budget, plus the instructions");
    // Layout spaces are shortened for the prompt.
    assert.ok(!/ {3}/.test(content));
  });
});
