import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";
import { csvCell } from "../../src/fields/fields-csv.js";
import { reviewThresholds } from "../../src/fields/thresholds.js";

describe("extraction configuration", () => {
  it("defaults to rules only with the documented review thresholds", () => {
    const config = loadConfig({}, { file: null });
    assert.equal(config.extraction.llm, undefined);
    assert.equal(config.extraction.templatesDir, undefined);
    assert.deepEqual(reviewThresholds(config), { ocrConfidence: 40, fieldConfidence: 0.5 });
  });

  it("reads the LLM endpoint, and refuses a URL without a model or an out-of-range threshold", () => {
    const config = loadConfig(
      {
        DOCKET_LLM_URL: "http://127.0.0.1:11434/v1",
        DOCKET_LLM_MODEL: "qwen2.5",
        DOCKET_LLM_API_KEY: "sk-x",
        DOCKET_REVIEW_FIELD_CONFIDENCE: "0.7",
      },
      { file: null },
    );
    assert.deepEqual(config.extraction.llm, {
      url: "http://127.0.0.1:11434/v1",
      model: "qwen2.5",
      apiKey: "sk-x",
      timeoutMs: 120_000,
    });
    assert.equal(config.extraction.reviewFieldConfidence, 0.7);
    assert.throws(
      () => loadConfig({ DOCKET_LLM_URL: "http://127.0.0.1:11434/v1" }, { file: null }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith("DOCKET_LLM_MODEL")),
    );
    assert.throws(
      () => loadConfig({ DOCKET_REVIEW_FIELD_CONFIDENCE: "1.5" }, { file: null }),
      (e: unknown) => e instanceof ConfigError && /at most 1/.test(e.message),
    );
    assert.throws(() => loadConfig({ DOCKET_LLM_URL: "ftp://x", DOCKET_LLM_MODEL: "m" }, { file: null }), ConfigError);
    // The key is a secret: never echoed in a configuration error.
    assert.throws(
      () => loadConfig({ DOCKET_LLM_API_KEY: "sk-secret", PORT: "x" }, { file: null }),
      (e: unknown) => e instanceof ConfigError && !e.message.includes("sk-secret"),
    );
  });
});

describe("fields CSV cells", () => {
  it("quotes per RFC 4180 and defuses formulas, but leaves numbers alone", () => {
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell('say "hi", then'), '"say ""hi"", then"');
    assert.equal(csvCell("two\nlines"), '"two\nlines"');
    assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
    assert.equal(csvCell("+48 123"), "'+48 123");
    assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
    assert.equal(csvCell("-12.50"), "-12.50");
    assert.equal(csvCell("-"), "'-");
  });
});
