/**
 * The optional LLM extractor: an OpenAI-compatible chat model (DOCKET_LLM_URL, _MODEL,
 * _API_KEY) reads the document's text and answers the fixed fields as JSON. Its fields have
 * origin `llm` and a moderate confidence: the same checks as every other field judge them.
 * It runs only when configured; nothing here starts or downloads a model.
 */
import type { LlmConfig } from "../../config.js";
import { DocketError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { DocumentText } from "../document-text.js";
import type { DocumentType, ExtractionCandidates } from "../types.js";
import { completeChat } from "./chat-client.js";
import { jsonFromMessage, readAnswer } from "./llm-answer.js";
import { answerSchema, buildMessages, DEFAULT_MAX_DOCUMENT_CHARS } from "./llm-prompt.js";

export interface LlmExtractor {
  /**
   * The model's fields for this document. Throws DocketError `llm_unavailable` (transient when
   * the server is down, slow or failing; permanent when it refuses the request), or the
   * signal's reason when cancelled.
   */
  extract(
    dt: DocumentText,
    type: DocumentType | "auto",
    signal: AbortSignal,
  ): Promise<{ document_type?: DocumentType; candidates: ExtractionCandidates }>;
}

export interface LlmExtractorDeps {
  log: Logger;
  /** The HTTP client (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** How much of the document's text to send (default about 8k tokens). */
  maxDocumentChars?: number;
}

export function createLlmExtractor(config: LlmConfig, deps: LlmExtractorDeps): LlmExtractor {
  const log = deps.log.child({ component: "llm" });
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const schema = answerSchema();
  return {
    async extract(dt, type, signal) {
      signal.throwIfAborted();
      const messages = buildMessages(dt, type, deps.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS);
      const content = await completeChat(
        {
          url: config.url,
          model: config.model,
          apiKey: config.apiKey,
          timeoutMs: config.timeoutMs,
          messages,
          schema,
          schemaName: "docket_fields",
        },
        { log, fetch: fetchImpl },
        signal,
      );
      const parsed = jsonFromMessage(content);
      if (parsed === null) {
        log.debug({ answer: content.slice(0, 2000) }, "the LLM's answer holds no JSON object");
        throw new DocketError("llm_unavailable", "the LLM's answer holds no JSON object", { permanent: true });
      }
      const answer = readAnswer(parsed, dt);
      for (const d of answer.dropped)
        log.info({ field: d.field, reason: d.reason }, "LLM field dropped: its value cannot be read");
      log.debug(
        { fields: Object.keys(answer.candidates.fields), document_type: answer.document_type },
        "LLM extraction read",
      );
      return {
        ...(answer.document_type ? { document_type: answer.document_type } : {}),
        candidates: answer.candidates,
      };
    },
  };
}
