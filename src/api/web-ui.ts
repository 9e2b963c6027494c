import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where the web UI is served from: the Vite build output (`npm run build`). */
export interface WebUiOptions {
  /** The build folder holding index.html and assets/ (default: dist/web of this package). */
  root: string;
}

/** dist/web beside the compiled server (src/api → ../../dist/web works from src/ and dist/ alike). */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL("../../dist/web/", import.meta.url));
}

/**
 * Content-Security-Policy of the UI: everything from this origin, no inline scripts or styles.
 * 'wasm-unsafe-eval' lets pdf.js compile its image decoders (JPEG 2000, JBIG2) to WebAssembly;
 * it does not allow eval of JavaScript. blob: and data: images are pdf.js and canvas output.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function securityHeaders(reply: FastifyReply): void {
  reply.header("content-security-policy", CSP);
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "same-origin");
  reply.header("x-frame-options", "DENY");
  reply.header("cross-origin-opener-policy", "same-origin");
  reply.header("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
}

/** Paths the SPA never owns: the API and the operational endpoints answer their own 404s. */
const NOT_THE_UI = /^\/(api|healthz|readyz|metrics)(\/|$)/;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Docket</title>
<p>The Docket web UI is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and restart.</p>
<p>The HTTP API is available under <a href="/api/docs">/api/docs</a>.</p>`;

/**
 * Serves the built single-page app at `/`: hashed assets with a year-long immutable cache,
 * index.html (never cached) for every other GET that is not an API path, so deep links such
 * as /documents/:id survive a reload. Every UI response carries the security headers.
 */
export async function registerWebUi(app: FastifyInstance, options: WebUiOptions): Promise<void> {
  const built = existsSync(join(options.root, "index.html"));
  if (!built) app.log.warn({ root: options.root }, "web UI not built: / answers 503 until `npm run build` has run");

  await app.register(async (ui) => {
    ui.addHook("onRequest", async (_request, reply) => securityHeaders(reply));

    if (built) {
      await ui.register(fastifyStatic, {
        root: options.root,
        prefix: "/",
        // One route per file found at start (no catch-all): unknown paths fall to the SPA route below.
        wildcard: false,
        index: false,
        cacheControl: false,
        setHeaders: (reply: FastifyReply, path: string) => {
          const immutable = path.includes("/assets/");
          reply.header(
            "cache-control",
            immutable
              ? "public, max-age=31536000, immutable"
              : path.endsWith(".html")
                ? "no-cache"
                : "public, max-age=3600",
          );
        },
      });
    }

    ui.get("/*", { config: { auth: "public" }, schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split("?")[0] ?? "/";
      // An API path or a missing asset (it has a file extension) is a real 404, not the app.
      if (NOT_THE_UI.test(path) || /\.[a-z0-9]+$/i.test(path)) return reply.callNotFound();
      if (!built)
        return reply.code(503).type("text/html; charset=utf-8").header("cache-control", "no-store").send(NOT_BUILT);
      return reply.header("cache-control", "no-cache").sendFile("index.html");
    });
  });
}
