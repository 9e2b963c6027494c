import fastifyCookie from "@fastify/cookie";
import fastifyMultipart from "@fastify/multipart";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { AccountService } from "../accounts/account-service.js";
import type { CollectionService } from "../collections/collection-service.js";
import type { RateLimitConfig } from "../config.js";
import type { DocumentService } from "../documents/document-service.js";
import type { IngestService } from "../documents/ingest-service.js";
import type { FieldsService } from "../fields/fields-service.js";
import type { ReviewService } from "../fields/review-service.js";
import type { JobService } from "../jobs/job-service.js";
import type { LiveService } from "../live/live-service.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { TemplateCatalog } from "../extraction/templates/template-catalog.js";
import { registerAuth } from "./auth.js";
import type { IdempotencyStore } from "./idempotency.js";
import { errorHandler, HttpProblem, problem, sendProblem } from "./problem.js";
import { accountRoutes } from "./routes/accounts.js";
import { collectionRoutes } from "./routes/collections.js";
import { documentResultRoutes } from "./routes/document-results.js";
import { destinationRoutes, type DestinationRoutesOptions } from "./routes/destinations.js";
import { documentRoutes } from "./routes/documents.js";
import { eventRoutes, type SseConnection } from "./routes/events.js";
import { fieldRoutes } from "./routes/fields.js";
import { jobRoutes } from "./routes/jobs.js";
import { opsRoutes, type ReadinessCheck } from "./routes/ops.js";
import { templateRoutes } from "./routes/templates.js";
import { webhookRoutes } from "./routes/webhooks.js";
import type { WebhookService } from "../webhooks/webhook-service.js";
import { registerWebUi, type WebUiOptions } from "./web-ui.js";

export interface ApiDeps {
  log: Logger;
  accounts: AccountService;
  documents: DocumentService;
  ingest: IngestService;
  jobs: JobService;
  fields: FieldsService;
  review: ReviewService;
  collections: CollectionService;
  /** Extraction templates (folder and uploads) for the admin routes. */
  templates: TemplateCatalog;
  live: LiveService;
  idempotency: IdempotencyStore;
  metrics: Metrics;
  checks: Record<string, ReadinessCheck>;
  maxUploadBytes: number;
  rateLimit: RateLimitConfig;
  trustProxy: boolean;
  sseKeepAliveMs: number;
  sseConnections: Set<SseConnection>;
  /** The built web UI served at `/` (null: no UI). */
  webUi?: WebUiOptions | null;
  /** Destinations and event webhooks (#16). */
  delivery?: DestinationRoutesOptions & { webhooks: WebhookService };
}

/** The window of every request rate limit (DOCKET_*_RATE_LIMIT_PER_MIN are per minute). */
export const RATE_WINDOW_MS = 60_000;

/** JSON bodies are small (options, credentials); files go through the streaming upload. */
const JSON_BODY_LIMIT = 256 * 1024;

/** The Fastify app with every route of API.md; no listening, no IO of its own. */
export async function buildApi(d: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: d.log as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: d.trustProxy,
    // Requests are measured in metrics, not logged one by one (that would be most of the log).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(d.log));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`)),
  );

  // Only JSON and multipart are accepted: a text/plain body gets 415, not a confusing 400.
  app.removeContentTypeParser("text/plain");

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: d.maxUploadBytes + 1, files: 1 } });
  // Failed authentications are limited per address before any lookup, at the general
  // per-IP rate: the per-caller limit below cannot see callers that never authenticate.
  registerAuth(app, d.accounts, { failuresPerMinute: d.rateLimit.perMinute });

  app.addHook("preValidation", async (request) => {
    if (request.isMultipart() && request.routeOptions.url !== "/api/v1/documents/upload") {
      throw new HttpProblem(415, "unsupported_media_type", "this route takes application/json");
    }
  });

  await app.register(fastifyRateLimit, {
    global: true,
    max: d.rateLimit.perMinute,
    timeWindow: RATE_WINDOW_MS,
    hook: "preValidation",
    keyGenerator: (request) => request.principal?.rateKey ?? `ip:${request.ip}`,
    // Every limit (general, login, upload) counts per 60 s window; `after` is only the time
    // left in the current one, which is what Retry-After says.
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(
        429,
        "rate_limited",
        `too many requests: at most ${context.max} per ${RATE_WINDOW_MS / 1000} s; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
      ),
  });

  app.addHook("onResponse", async (request, reply) => {
    d.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Docket API",
        version: "1.0.0",
        description: "Upload documents, run OCR, follow every job in real time. See API.md.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          cookie: { type: "apiKey", in: "cookie", name: "docket_session" },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // The UI's assets are served from the package itself: nothing is fetched from the internet.
  await app.register(fastifySwaggerUi, {
    routePrefix: "/api/docs",
    uiConfig: { validatorUrl: null, deepLinking: true },
    // The plugin's CSP (its own assets and the hashes of its inline code), framing refused,
    // and no upgrade-insecure-requests: a LAN deployment on plain HTTP must still load it.
    staticCSP: true,
    transformStaticCSP: (header: string) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(/\s*upgrade-insecure-requests;?/, "")
        .concat(" form-action 'self';"),
    uiHooks: {
      onRequest: (_request, reply, done) => {
        void reply.header("x-frame-options", "DENY");
        void reply.header("x-content-type-options", "nosniff");
        void reply.header("referrer-policy", "same-origin");
        done();
      },
    },
  });
  app.get("/api/openapi.json", { config: { auth: "public" }, schema: { hide: true } }, async () => app.swagger());

  accountRoutes(app, { accounts: d.accounts, loginPerMinute: d.rateLimit.loginPerMinute });
  documentRoutes(app, {
    documents: d.documents,
    ingest: d.ingest,
    live: d.live,
    idempotency: d.idempotency,
    maxUploadBytes: d.maxUploadBytes,
    uploadPerMinute: d.rateLimit.uploadPerMinute,
  });
  jobRoutes(app, { jobs: d.jobs, live: d.live, idempotency: d.idempotency });
  fieldRoutes(app, { fields: d.fields, review: d.review, collections: d.collections });
  collectionRoutes(app, { collections: d.collections, live: d.live });
  documentResultRoutes(app, { jobs: d.jobs });
  await templateRoutes(app, { templates: d.templates });
  if (d.delivery) {
    destinationRoutes(app, d.delivery);
    webhookRoutes(app, d.delivery);
  }
  eventRoutes(app, {
    live: d.live,
    accounts: d.accounts,
    log: d.log,
    metrics: d.metrics,
    keepAliveMs: d.sseKeepAliveMs,
    connections: d.sseConnections,
  });
  opsRoutes(app, { metrics: d.metrics, checks: d.checks });
  if (d.webUi) await registerWebUi(app, d.webUi);

  // Hijacked event streams are not Fastify's: end them so close() does not wait for clients.
  app.addHook("preClose", async () => {
    for (const connection of [...d.sseConnections]) connection.close();
  });
  return app;
}
