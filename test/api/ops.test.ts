import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.js";
import { skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer, waitForJob, type TestServer, type Users } from "./support.js";

describe("configuration", () => {
  it("applies the defaults of API.md", () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.dataDir, "./data");
    assert.equal(c.maxUploadBytes, 50 * 1024 * 1024);
    assert.deepEqual(c.ocrLanguages, ["eng"]);
    assert.ok(c.workers >= 1);
    assert.equal(c.ocrEngine, "auto");
  });
  it("reports one clear message per invalid variable, without secrets", () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: "http",
          DOCKET_WORKERS: "-1",
          DOCKET_OCR_ENGINE: "gpu",
          DATABASE_URL: "mysql://u:secret@h/db",
          DOCKET_ADMIN_PASSWORD: "short",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 5, error.message);
        for (const name of ["PORT", "DOCKET_WORKERS", "DOCKET_OCR_ENGINE", "DATABASE_URL", "DOCKET_ADMIN_PASSWORD"])
          assert.match(error.message, new RegExp(name));
        assert.doesNotMatch(error.message, /secret|short/);
        return true;
      },
    );
  });
});

describe("operations endpoints", async () => {
  const skip = await skipReasonFor("sqlite");
  let server: TestServer;
  let u: Users;
  before(async () => {
    if (skip) return;
    server = await startServer("sqlite", {
      DOCKET_ADMIN_EMAIL: "boot@example.test",
      DOCKET_ADMIN_PASSWORD: "boot-password",
    });
    u = await createUsers(server.base).catch(() => undefined as never);
  });
  after(async () => {
    if (!skip) await server.close();
  });

  it("bootstraps the admin from the environment (so setup is closed)", { skip }, async () => {
    assert.equal(u, undefined, "setup refused: a user exists");
    const login = await fetch(`${server.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "boot@example.test", password: "boot-password" }),
    });
    assert.equal(login.status, 200);
    assert.equal(((await login.json()) as { user: { role: string } }).user.role, "admin");
  });

  it("healthz, readyz and metrics", { skip }, async () => {
    assert.equal((await fetch(`${server.base}/healthz`)).status, 200);
    const ready = await fetch(`${server.base}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    assert.ok(body.checks.database?.ok && body.checks.blob_store?.ok);
    const login = (await (
      await fetch(`${server.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "boot@example.test", password: "boot-password" }),
      })
    ).json()) as { token: string };
    const form = new FormData();
    form.append("process", "true");
    form.append("file", new Blob([pngBytes()]), "m.png");
    const up = (await (
      await fetch(`${server.base}/api/v1/documents/upload`, {
        method: "POST",
        body: form,
        headers: { authorization: `Bearer ${login.token}` },
      })
    ).json()) as { job: { id: string } };
    await waitForJob(
      {
        token: login.token,
        req: async (m, p) => {
          const r = await fetch(`${server.base}${p}`, {
            method: m,
            headers: { authorization: `Bearer ${login.token}` },
          });
          return { status: r.status, headers: r.headers, text: "", json: await r.json() };
        },
        upload: async () => {
          throw new Error("unused");
        },
      },
      up.job.id,
      ["completed"],
    );
    await new Promise((r) => setTimeout(r, 300));
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    for (const name of [
      'docket_jobs{status="completed"} 1',
      "docket_queue_depth 0",
      'docket_job_duration_seconds_count{status="completed"} 1',
      "docket_step_duration_seconds_count",
      "docket_http_request_duration_seconds_bucket",
      "docket_job_failures_total",
    ]) {
      assert.ok(metrics.includes(name), name);
    }
    assert.doesNotMatch(metrics, new RegExp(login.token));
  });

  it("OpenAPI 3.1 from the schemas, and docs that load nothing from the internet", { skip }, async () => {
    const spec = (await (await fetch(`${server.base}/api/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(spec.openapi, "3.1.0");
    for (const path of [
      "/api/v1/documents/upload",
      "/api/v1/ocr/submit",
      "/api/v1/ocr/jobs/{id}",
      "/api/v1/events",
      "/api/v1/batches/{id}",
      "/api/v1/auth/login",
    ])
      assert.ok(spec.paths[path], path);
    const docs = await fetch(`${server.base}/api/docs`, { redirect: "follow" });
    assert.equal(docs.status, 200);
    const html = await docs.text();
    const external = [...html.matchAll(/(?:src|href)=["'](https?:)?\/\/[^"']+/g)].map((m) => m[0]);
    assert.deepEqual(external, [], "no external assets");
    for (const asset of [...html.matchAll(/(?:src|href)=["']([^"':]+\.(?:js|css))["']/g)].map((m) => m[1]!)) {
      const res = await fetch(new URL(asset, docs.url.endsWith("/") ? docs.url : `${docs.url}/`));
      assert.equal(res.status, 200, asset);
      const text = await res.text();
      if (asset.includes("initializer"))
        assert.doesNotMatch(
          text.replace(/^\s*\/\/.*$/gm, ""),
          /https?:\/\/(?!localhost)[a-z]/i,
          "initializer points at no remote URL",
        );
    }
  });
});
