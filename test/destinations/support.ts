/**
 * A real Docket server whose "ocr" pipeline is the API tests' scripted one plus the real
 * `deliver:<name>` steps (src/destinations), and a real webhook receiver that checks every
 * signature it gets.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { BlobStore } from "../../src/blob/blob-store.js";
import type { Config } from "../../src/config.js";
import type { Database, DialectName } from "../../src/db/database.js";
import type { PipelineDefinition } from "../../src/engine/pipeline.js";
import type { DocketOverrides } from "../../src/app/docket.js";
import { createCompilePipeline } from "../../src/collections/compile/compile-pipeline.js";
import { withDelivery } from "../../src/destinations/setup.js";
import { reviewThresholds } from "../../src/fields/thresholds.js";
import { verifySignature } from "../../src/webhooks/signature.js";
import { apiTestPipeline, startServer, STEPS, type TestServer } from "../api/support.js";

export { STEPS };

/** The scripted pipeline, planning one deliver step per destination after export. */
export function deliveryTestPipeline(
  deps: { config: Config; database: Database; blobStore: BlobStore },
  scripts: Map<string, Record<string, string>>,
): PipelineDefinition {
  const inner = apiTestPipeline(deps.blobStore, scripts);
  return withDelivery(
    {
      ...inner,
      plan: (options) => [...STEPS, ...(options.destinations ?? []).map((d) => `deliver:${d}`)],
      // `{ review: "<reason>" }` in a document's script: its export asks for a person's review.
      handler: (step) => async (ctx) => {
        const result = await inner.handler(step)!(ctx);
        const review = scripts.get(ctx.documentId ?? "")?.review;
        return step === "export" && review && result ? { ...result, reviewReason: review } : result;
      },
    },
    deps,
  );
}

export async function startDeliveryServer(
  dialect: DialectName,
  env: Record<string, string> = {},
  overrides: DocketOverrides = {},
): Promise<TestServer> {
  const scripts = new Map<string, Record<string, string>>();
  const server = await startServer(
    dialect,
    { DOCKET_ALLOW_PRIVATE_URLS: "true", ...env },
    {
      pipelines: ({ config, database, blobStore }) => [
        deliveryTestPipeline({ config, database, blobStore }, scripts),
        // Collections' compile stage, for collection.completed.
        createCompilePipeline({ database, blobStore, thresholds: reviewThresholds(config) }),
      ],
      webhooks: { backoffMs: [100, 200, 300], pollMs: 100 },
      ...overrides,
    },
  );
  return { ...server, scripts };
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  signatureValid: boolean;
}

/**
 * A webhook receiver on loopback. Every request's Docket-Signature is verified with the
 * secret; `answer` decides the status (default 200; 0 holds the request without an answer). `down()` stops answering at all
 * (connections refused) until `up()`.
 */
export async function startReceiver(secret: string) {
  const received: Received[] = [];
  let answer: (r: Received) => number = () => 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["docket-signature"];
      const r: Received = {
        path: req.url ?? "/",
        headers: req.headers,
        body,
        json: body ? JSON.parse(body) : null,
        signatureValid: verifySignature(secret, body, typeof header === "string" ? header : undefined),
      };
      received.push(r);
      const status = answer(r);
      if (status === 0) return; // 0: hold the request open, never answer
      res.statusCode = status;
      res.end("ok");
    });
  });
  let port = 0;
  const start = (p = 0) =>
    new Promise<void>((resolve) =>
      server.listen(p, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  await start();
  return {
    received,
    get url() {
      return `http://127.0.0.1:${port}/hook`;
    },
    answerWith(fn: (r: Received) => number) {
      answer = fn;
    },
    async down() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    up: () => start(port),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
