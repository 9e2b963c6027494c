/**
 * How the server serves the web UI (no browser needed): the SPA at `/` with deep-link
 * fallback, cache and security headers, real 404s for API paths and missing assets, the
 * "not built" answer, and the first-run setup probe the UI starts with.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultWebRoot } from "../../src/api/web-ui.js";
import { client, startServer, type TestServer } from "../api/support.js";
import { ensureWebBuilt } from "./support.js";

describe("serving the web UI", () => {
  let server: TestServer;

  before(async () => {
    ensureWebBuilt();
    server = await startServer("sqlite");
  });
  after(async () => {
    await server.close();
  });

  it("serves index.html at / and at deep links, with a strict CSP and no inline script", async () => {
    for (const path of ["/", "/documents/0198abc", "/settings", "/batches/x?tab=1"]) {
      const res = await fetch(`${server.base}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      assert.equal(res.headers.get("cache-control"), "no-cache");
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "DENY");
      const html = await res.text();
      assert.match(html, /<div id="root"><\/div>/);
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length > 0);
      for (const [, attributes, body] of scripts) {
        assert.match(attributes!, /\bsrc="\/assets\//, "scripts are files");
        assert.equal(body!.trim(), "", "no inline script");
      }
    }
  });

  it("serves hashed assets with a long immutable cache, and 404s what does not exist", async () => {
    const asset = readdirSync(join(defaultWebRoot(), "assets")).find((f) => f.endsWith(".js"))!;
    const res = await fetch(`${server.base}/assets/${asset}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /javascript/);
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
    const missing = await fetch(`${server.base}/assets/missing-0000.js`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
    const font = await fetch(`${server.base}/pdfjs/standard_fonts/FoxitSerif.pfb`);
    assert.equal(font.status, 200, "pdf.js resources are served from the build");
    await font.arrayBuffer();
  });

  it("leaves API paths to the API: unknown routes are problem+json 404s, not the app", async () => {
    for (const path of ["/api/v1/nope", "/api/nope", "/api/v1/documents/x/nope"]) {
      const res = await fetch(`${server.base}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/, path);
      await res.arrayBuffer();
    }
    const health = await fetch(`${server.base}/healthz`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });

  it("tells the UI whether first-run setup is open", async () => {
    const anon = client(server.base);
    assert.deepEqual((await anon.req("GET", "/api/v1/setup")).json, { setup_required: true });
    assert.equal(
      (await anon.req("POST", "/api/v1/setup", { json: { email: "first@example.test", password: "long-enough" } }))
        .status,
      201,
    );
    assert.deepEqual((await anon.req("GET", "/api/v1/setup")).json, { setup_required: false });
  });
});

describe("a server whose UI is not built", () => {
  let server: TestServer;
  let empty: string;

  before(async () => {
    empty = mkdtempSync(join(tmpdir(), "docket-no-ui-"));
    server = await startServer("sqlite", {}, { webRoot: empty });
  });
  after(async () => {
    await server.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it("answers / with 503 and how to build it, while the API works", async () => {
    const res = await fetch(`${server.base}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build/);
    const health = await fetch(`${server.base}/healthz`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });
});
