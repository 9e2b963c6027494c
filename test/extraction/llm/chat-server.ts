/**
 * A local HTTP server speaking OpenAI's chat completions protocol (`POST /v1/chat/completions`),
 * scripted per test: what it answers, how late, or never. It records every request.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export type Reply = { status?: number; body: unknown; delayMs?: number } | "hang";

export class ChatServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose connection the client closed before an answer. */
  closedEarly = 0;
  respond: (request: RecordedRequest, index: number) => Reply = () => ({ body: chatAnswer("{}") });
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // recorded as text
        }
        const request: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
        this.requests.push(request);
        const reply = this.respond(request, this.requests.length - 1);
        res.on("close", () => {
          if (!res.writableFinished) this.closedEarly++;
        });
        if (reply === "hang") return;
        const send = () => {
          if (res.destroyed) return;
          const payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status ?? 200, { "content-type": "application/json" }).end(payload);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** A chat completion whose assistant message is `content`. */
export function chatAnswer(content: string): unknown {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "test-model",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}
