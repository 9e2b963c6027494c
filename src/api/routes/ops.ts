import type { FastifyInstance } from "fastify";
import type { Metrics } from "../../observability/metrics.js";

export type ReadinessCheck = () => Promise<void>;

export interface OpsRoutesOptions {
  metrics: Metrics;
  /** Named checks for /readyz (database, blob store, OCR engine…); each throws when not ready. */
  checks: Record<string, ReadinessCheck>;
}

async function timed(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(app: FastifyInstance, o: OpsRoutesOptions): void {
  const hide = { hide: true } as const;
  app.get("/healthz", { config: { auth: "public", rateLimit: false }, schema: { ...hide } }, async () => ({
    status: "ok",
  }));

  app.get("/readyz", { config: { auth: "public", rateLimit: false }, schema: { ...hide } }, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(o.checks).map(async ([name, check]) => {
        try {
          await timed(check, 5_000);
          return [name, { ok: true }] as const;
        } catch (error) {
          return [name, { ok: false, error: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.ok);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? "ready" : "not_ready", checks: Object.fromEntries(results) });
  });

  app.get(
    "/metrics",
    { config: { auth: "public", rateLimit: false }, schema: { ...hide } },
    async (_request, reply) => {
      const text = await o.metrics.registry.metrics();
      return reply.type(o.metrics.registry.contentType).send(text);
    },
  );
}
