/**
 * One call to an OpenAI-compatible `POST /chat/completions` (OpenAI, Ollama, vLLM, llama.cpp,
 * LM Studio …), asking for JSON that follows a schema. Servers that do not know
 * `response_format: json_schema` answer 400: the call is then made once more with
 * `json_object`. Failures are classified: the server unreachable, slow, overloaded or
 * failing (network, timeout, 429, 5xx) is transient; a refused request (other 4xx) is
 * permanent, with a message saying what to check. The API key is sent, never logged.
 */
import { DocketError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ChatMessage } from "./llm-prompt.js";

export interface ChatRequest {
  url: string;
  model: string;
  apiKey: string | undefined;
  timeoutMs: number;
  messages: ChatMessage[];
  schema: Record<string, unknown>;
  schemaName: string;
}

export interface ChatDeps {
  log: Logger;
  fetch: typeof globalThis.fetch;
}

/** Answers larger than this are not a field list: refuse them rather than buffer them. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The assistant message's text. */
export async function completeChat(req: ChatRequest, deps: ChatDeps, signal: AbortSignal): Promise<string> {
  const strict = { type: "json_schema", json_schema: { name: req.schemaName, strict: true, schema: req.schema } };
  const first = await post(req, strict, deps, signal);
  if (first.ok) return messageText(first.body, req);
  if (first.status === 400 && /response_format|json_schema|schema|structured|format/i.test(first.body)) {
    deps.log.info(
      { status: first.status, model: req.model },
      "the LLM server does not take a JSON schema: asking for a JSON object instead",
    );
    const second = await post(req, { type: "json_object" }, deps, signal);
    if (second.ok) return messageText(second.body, req);
    throw httpError(second.status, second.body, req);
  }
  throw httpError(first.status, first.body, req);
}

function endpoint(url: string): string {
  return `${url.replace(/\/+$/, "")}/chat/completions`;
}

/** The server's address for messages (no credentials, no path details). */
function where(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the configured URL";
  }
}

async function post(
  req: ChatRequest,
  responseFormat: Record<string, unknown>,
  deps: ChatDeps,
  signal: AbortSignal,
): Promise<{ ok: boolean; status: number; body: string }> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  const started = performance.now();
  let response: Response;
  try {
    response = await deps.fetch(endpoint(req.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: req.model,
        messages: req.messages,
        temperature: 0,
        response_format: responseFormat,
      }),
      signal: combined,
    });
  } catch (error) {
    throw failure(error, req, signal, timeout);
  }
  let body: string;
  try {
    body = await readLimited(response);
  } catch (error) {
    throw failure(error, req, signal, timeout);
  }
  deps.log.debug(
    { status: response.status, model: req.model, ms: Math.round(performance.now() - started) },
    "LLM answered",
  );
  return { ok: response.ok, status: response.status, body };
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_ANSWER_BYTES)
    throw new DocketError("llm_unavailable", `the LLM's answer is too large (${declared} bytes)`, { permanent: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES)
      throw new DocketError("llm_unavailable", `the LLM's answer is too large (over ${MAX_ANSWER_BYTES} bytes)`, {
        permanent: true,
      });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function failure(error: unknown, req: ChatRequest, signal: AbortSignal, timeout: AbortSignal): unknown {
  // Cancellation is the caller's, not the LLM's failure: pass it on as it came.
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof DocketError) return error;
  if (timeout.aborted) {
    return new DocketError(
      "llm_unavailable",
      `the LLM at ${where(req.url)} did not answer within ${Math.round(req.timeoutMs / 1000)} s`,
      { permanent: false, cause: error },
    );
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  return new DocketError("llm_unavailable", `the LLM at ${where(req.url)} is unreachable (${detail})`, {
    permanent: false,
    cause: error,
  });
}

function httpError(status: number, body: string, req: ChatRequest): DocketError {
  const said = serverMessage(body);
  const suffix = said ? `: ${said}` : "";
  if (status === 429 || status >= 500) {
    return new DocketError("llm_unavailable", `the LLM at ${where(req.url)} answered ${status}${suffix}`, {
      permanent: false,
      details: { status },
    });
  }
  const advice =
    status === 401 || status === 403
      ? " (check DOCKET_LLM_API_KEY)"
      : status === 404
        ? ` (check DOCKET_LLM_URL, which should end before /chat/completions, and DOCKET_LLM_MODEL "${req.model}")`
        : "";
  return new DocketError(
    "llm_unavailable",
    `the LLM at ${where(req.url)} refused the request with ${status}${suffix}${advice}`,
    { permanent: true, details: { status } },
  );
}

/** The error message an OpenAI-style server puts in its body, shortened. */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof m === "string") return m.slice(0, 300);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}

function messageText(body: string, req: ChatRequest): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new DocketError(
      "llm_unavailable",
      `the LLM at ${where(req.url)} did not answer in the chat completions format (not JSON)`,
      { permanent: false },
    );
  }
  const message = (parsed as { choices?: Array<{ message?: { content?: unknown; refusal?: unknown } }> }).choices?.[0]
    ?.message;
  const content = message?.content;
  if (typeof content === "string") return content;
  // Some servers answer a list of content parts.
  if (Array.isArray(content))
    return content.map((part: { text?: unknown }) => (typeof part?.text === "string" ? part.text : "")).join("");
  if (typeof message?.refusal === "string")
    throw new DocketError("llm_unavailable", `the LLM refused: ${message.refusal.slice(0, 200)}`, { permanent: true });
  throw new DocketError(
    "llm_unavailable",
    `the LLM at ${where(req.url)} answered without a message (choices[0].message.content)`,
    { permanent: false },
  );
}
