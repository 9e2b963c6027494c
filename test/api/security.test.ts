import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import {
  client,
  createUsers,
  pngBytes,
  startServer,
  waitForJob,
  type Client,
  type TestServer,
  type Users,
} from "./support.js";

for (const dialect of DIALECTS) {
  describe(`accounts, authorization and bad input on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;

    before(async () => {
      if (skip) return;
      server = await startServer(dialect, { DOCKET_LOGIN_RATE_LIMIT_PER_MIN: "1000" });
      u = await createUsers(server.base);
    });
    after(async () => {
      if (skip) return;
      await server.close();
    });

    it(
      "a refused upload leaves no blob behind, whether the bad field came before or after the file",
      { skip },
      async () => {
        const uploads = async () =>
          (await server.docket.blobStore.list("uploads/")).filter((k) => !k.startsWith("uploads/tmp/"));
        const before = await uploads();
        const early = await u.alice.upload(pngBytes(), "early.png", { ocr_mode: "nonsense" });
        assert.equal(early.status, 400);
        assert.equal(early.json.code, "validation_error");
        const form = new FormData();
        form.append("file", new Blob([pngBytes()]), "late.png");
        form.append("priority", "99");
        const late = await u.alice.req("POST", "/api/v1/documents/upload", { body: form });
        assert.equal(late.status, 400);
        assert.equal(late.json.code, "validation_error");
        assert.deepEqual(await uploads(), before);
        // A refused re-upload of bytes another document already holds must not delete them.
        const bytes = pngBytes();
        const kept = await u.alice.upload(bytes, "kept.png");
        assert.equal(kept.status, 201);
        const again = new FormData();
        again.append("file", new Blob([bytes]), "kept-again.png");
        again.append("ocr", "sometimes");
        assert.equal((await u.alice.req("POST", "/api/v1/documents/upload", { body: again })).status, 400);
        const download = await u.alice.req("GET", `/api/v1/documents/${kept.json.document.id}/file`);
        assert.equal(download.status, 200);
      },
    );

    it("upload with process=true answers with a document status and job from the same moment", { skip }, async () => {
      const unified: Record<string, string> = { pending: "queued", processing: "processing", completed: "completed" };
      for (let i = 0; i < 6; i++) {
        const res = await u.alice.upload(pngBytes(), `now-${i}.png`, { process: "true" });
        assert.equal(res.status, 201);
        assert.equal(
          res.json.document.status,
          unified[res.json.job.status],
          JSON.stringify({ document: res.json.document.status, job: res.json.job.status }),
        );
      }
    });

    it("setup only once; login errors are identical; me; API tokens shown once and hashed", { skip }, async () => {
      const again = await u.anon.req("POST", "/api/v1/setup", {
        json: { email: "x@example.test", password: "long-enough" },
      });
      assert.equal(again.status, 409);
      assert.equal(again.json.code, "setup_done");
      const unknown = await u.anon.req("POST", "/api/v1/auth/login", {
        json: { email: "nobody@example.test", password: "whatever1" },
      });
      const wrong = await u.anon.req("POST", "/api/v1/auth/login", {
        json: { email: "alice@example.test", password: "wrong-password" },
      });
      assert.equal(unknown.status, 401);
      assert.deepEqual(unknown.json, wrong.json);
      assert.equal(wrong.json.code, "invalid_credentials");

      const me = await u.alice.req("GET", "/api/v1/me");
      assert.deepEqual(Object.keys(me.json).sort(), ["created_at", "csrf_token", "disabled", "email", "id", "role"]);
      assert.equal(me.json.role, "user");

      const created = await u.alice.req("POST", "/api/v1/tokens", { json: { name: "ci" } });
      assert.equal(created.status, 201);
      assert.match(created.json.token, /^dkt_/);
      const viaToken = client(server.base, created.json.token);
      assert.equal((await viaToken.req("GET", "/api/v1/me")).json.email, "alice@example.test");
      const list = await u.alice.req("GET", "/api/v1/tokens");
      assert.equal(list.json.items.length, 1);
      assert.ok(!list.text.includes(created.json.token), "no secrets in the list");
      const stored = await server.db.database.db
        .selectFrom("api_tokens")
        .select("token_hash")
        .executeTakeFirstOrThrow();
      assert.match(stored.token_hash, /^[0-9a-f]{64}$/);
      assert.equal((await u.bob.req("DELETE", `/api/v1/tokens/${created.json.id}`)).status, 404);
      assert.equal((await u.alice.req("DELETE", `/api/v1/tokens/${created.json.id}`)).status, 204);
      assert.equal((await viaToken.req("GET", "/api/v1/me")).status, 401);
      const sessions = await server.db.database.db.selectFrom("sessions").select("token_hash").execute();
      assert.ok(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash)));
      assert.ok(!sessions.some((s) => s.token_hash === u.alice.token));
    });

    it(
      "session cookie: httpOnly, SameSite=Lax; unsafe requests need the CSRF header; logout ends it",
      { skip },
      async () => {
        const res = await fetch(`${server.base}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "bob@example.test", password: "bob-password" }),
        });
        const body = (await res.json()) as { csrf_token: string };
        const setCookie = res.headers.get("set-cookie") ?? "";
        assert.match(setCookie, /docket_session=/);
        assert.match(setCookie, /HttpOnly/i);
        assert.match(setCookie, /SameSite=Lax/i);
        const cookie = setCookie.split(";")[0]!;
        const withCookie = (method: string, path: string, headers: Record<string, string> = {}, json?: unknown) =>
          fetch(`${server.base}${path}`, {
            method,
            headers: { cookie, ...(json ? { "content-type": "application/json" } : {}), ...headers },
            ...(json ? { body: JSON.stringify(json) } : {}),
          });
        const me = await withCookie("GET", "/api/v1/me");
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { csrf_token: string }).csrf_token, body.csrf_token);
        const noCsrf = await withCookie("POST", "/api/v1/tokens", {}, { name: "x" });
        assert.equal(noCsrf.status, 403);
        assert.equal(((await noCsrf.json()) as { code: string }).code, "csrf_failed");
        const okCsrf = await withCookie("POST", "/api/v1/tokens", { "x-csrf-token": body.csrf_token }, { name: "x" });
        assert.equal(okCsrf.status, 201);
        const out = await withCookie("POST", "/api/v1/auth/logout", { "x-csrf-token": body.csrf_token });
        assert.equal(out.status, 204);
        assert.equal((await withCookie("GET", "/api/v1/me")).status, 401);
      },
    );

    it("admins manage users; disabled users cannot log in or use tokens", { skip }, async () => {
      const dup = await u.admin.req("POST", "/api/v1/users", {
        json: { email: "alice@example.test", password: "whatever-1", role: "user" },
      });
      assert.equal(dup.status, 409);
      assert.equal(dup.json.code, "email_taken");
      const carol = await u.admin.req("POST", "/api/v1/users", {
        json: { email: "carol@example.test", password: "carol-password", role: "user" },
      });
      const login = await u.anon.req("POST", "/api/v1/auth/login", {
        json: { email: "carol@example.test", password: "carol-password" },
      });
      const carolClient = client(server.base, login.json.token);
      const token = (await carolClient.req("POST", "/api/v1/tokens", { json: { name: "t" } })).json.token;
      const patched = await u.admin.req("PATCH", `/api/v1/users/${carol.json.id}`, { json: { disabled: true } });
      assert.equal(patched.status, 200);
      assert.equal(patched.json.disabled, true);
      assert.equal((await carolClient.req("GET", "/api/v1/me")).status, 401);
      assert.equal((await client(server.base, token).req("GET", "/api/v1/me")).status, 401);
      const relogin = await u.anon.req("POST", "/api/v1/auth/login", {
        json: { email: "carol@example.test", password: "carol-password" },
      });
      assert.equal(relogin.status, 401);
      assert.equal(relogin.json.code, "invalid_credentials");
      const users = await u.admin.req("GET", "/api/v1/users");
      assert.ok(users.json.items.length >= 4);
      assert.equal((await u.alice.req("GET", "/api/v1/users")).status, 403);
      assert.equal((await u.admin.req("PATCH", "/api/v1/users/nobody", { json: { role: "admin" } })).status, 404);
    });

    it("authorization matrix: every route × anonymous / owner / other user / admin", { skip }, async () => {
      const up = await u.alice.upload(pngBytes(), "matrix.png", { process: "true" });
      const doc = up.json.document.id;
      const job = (await waitForJob(u.alice, up.json.job.id, ["completed"])).id;
      const batch = (await u.alice.req("POST", "/api/v1/ocr/batch", { json: { document_ids: [doc] } })).json.batch_id;
      await waitForJob(u.alice, (await u.alice.req("GET", `/api/v1/ocr/jobs?batch_id=${batch}`)).json.items[0].id, [
        "completed",
      ]);
      const me = (await u.alice.req("GET", "/api/v1/me")).json.id;
      // [method, path, body, expected for owner, other, admin] — reads and idempotent actions only,
      // so the same resource serves every caller.
      const routes: [string, string, unknown, number, number, number][] = [
        ["GET", "/api/v1/me", undefined, 200, 200, 200],
        ["GET", "/api/v1/tokens", undefined, 200, 200, 200],
        ["GET", "/api/v1/users", undefined, 403, 403, 200],
        ["PATCH", `/api/v1/users/${me}`, { disabled: false }, 403, 403, 200],
        ["POST", "/api/v1/users", { email: "m@example.test", password: "short" }, 403, 403, 400],
        ["GET", "/api/v1/documents", undefined, 200, 200, 200],
        ["GET", `/api/v1/documents/${doc}`, undefined, 200, 404, 200],
        ["GET", `/api/v1/documents/${doc}/status`, undefined, 200, 404, 200],
        ["GET", `/api/v1/documents/${doc}/history`, undefined, 200, 404, 200],
        ["GET", `/api/v1/documents/${doc}/file`, undefined, 200, 404, 200],
        ["POST", "/api/v1/ocr/submit", { document_id: doc, priority: 99 }, 400, 400, 400],
        ["POST", "/api/v1/ocr/batch", { document_ids: [] }, 400, 400, 400],
        ["GET", "/api/v1/ocr/jobs", undefined, 200, 200, 200],
        ["GET", `/api/v1/ocr/jobs/${job}`, undefined, 200, 404, 200],
        ["GET", `/api/v1/ocr/jobs/${job}/poll?version=0`, undefined, 200, 404, 200],
        ["GET", `/api/v1/ocr/jobs/${job}/result`, undefined, 200, 404, 200],
        ["GET", `/api/v1/ocr/jobs/${job}/result/txt`, undefined, 200, 404, 200],
        ["PUT", `/api/v1/ocr/jobs/${job}/cancel`, undefined, 409, 404, 409],
        ["POST", `/api/v1/ocr/jobs/${job}/retry`, undefined, 409, 404, 409],
        ["GET", `/api/v1/batches/${batch}`, undefined, 200, 404, 200],
        ["DELETE", "/api/v1/documents/no-such-id", undefined, 404, 404, 404],
        ["DELETE", "/api/v1/ocr/jobs/no-such-id", undefined, 404, 404, 404],
        ["DELETE", "/api/v1/tokens/no-such-id", undefined, 404, 404, 404],
        ["POST", "/api/v1/auth/logout", undefined, 204, 204, 204],
      ];
      const callers: [string, Client][] = [
        ["owner", u.alice],
        ["other", u.bob],
        ["admin", u.admin],
      ];
      for (const [method, path, body] of routes) {
        const res = await u.anon.req(method, path, body === undefined ? {} : { json: body });
        assert.equal(res.status, 401, `anonymous ${method} ${path}`);
        assert.equal(res.json.code, "unauthorized");
        const bad = await client(server.base, "dkt_not-a-real-token").req(
          method,
          path,
          body === undefined ? {} : { json: body },
        );
        assert.equal(bad.status, 401, `bad token ${method} ${path}`);
      }
      const upload = await u.anon.upload(pngBytes(), "anon.png");
      assert.equal(upload.status, 401);
      for (const [i, [who, c]] of callers.entries()) {
        for (const [method, path, body, ...expected] of routes) {
          if (path === "/api/v1/auth/logout") continue; // would end the session used by the rest
          const res = await c.req(method, path, body === undefined ? {} : { json: body });
          assert.equal(res.status, expected[i], `${who} ${method} ${path}: ${res.text}`);
        }
      }
      // Logout last, with throwaway sessions.
      for (const [email, password] of [["bob@example.test", "bob-password"]]) {
        const session = (await u.anon.req("POST", "/api/v1/auth/login", { json: { email, password } })).json.token;
        assert.equal((await client(server.base, session).req("POST", "/api/v1/auth/logout")).status, 204);
        assert.equal((await client(server.base, session).req("GET", "/api/v1/me")).status, 401);
      }
    });

    it(
      "malformed JSON, wrong content types, oversized bodies, unknown fields, out-of-range options → 4xx with a code",
      { skip },
      async () => {
        const doc = (await u.alice.upload(pngBytes(), "bad.png")).json.document.id;
        const cases: [string, { body?: string; json?: unknown; headers?: Record<string, string> }, number, string][] = [
          [
            "malformed JSON",
            { body: "{not json", headers: { "content-type": "application/json" } },
            400,
            "invalid_json",
          ],
          ["empty JSON", { body: "", headers: { "content-type": "application/json" } }, 400, "invalid_json"],
          ["text/plain", { body: "hello", headers: { "content-type": "text/plain" } }, 415, "unsupported_media_type"],
          ["xml", { body: "<a/>", headers: { "content-type": "application/xml" } }, 415, "unsupported_media_type"],
          [
            "oversized",
            {
              body: JSON.stringify({ document_id: doc, pad: "x".repeat(400_000) }),
              headers: { "content-type": "application/json" },
            },
            413,
            "body_too_large",
          ],
          ["unknown field", { json: { document_id: doc, colour: "blue" } }, 400, "validation_error"],
          ["priority 11", { json: { document_id: doc, priority: 11 } }, 400, "validation_error"],
          ["priority -1", { json: { document_id: doc, priority: -1 } }, 400, "validation_error"],
          ["priority 2.5", { json: { document_id: doc, priority: 2.5 } }, 400, "validation_error"],
          ["bad mode", { json: { document_id: doc, ocr_mode: "magic" } }, 400, "validation_error"],
          ["bad output", { json: { document_id: doc, outputs: ["docx"] } }, 400, "validation_error"],
          ["empty languages", { json: { document_id: doc, languages: [] } }, 400, "validation_error"],
          ["missing id", { json: {} }, 400, "validation_error"],
          ["array body", { json: [doc] }, 400, "validation_error"],
        ];
        for (const [name, init, status, code] of cases) {
          const res = await u.alice.req("POST", "/api/v1/ocr/submit", init);
          assert.equal(res.status, status, `${name}: ${res.text}`);
          assert.equal(res.json.code, code, name);
          assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/, name);
          assert.ok(res.json.type && res.json.title && res.json.detail, name);
        }
        const unknown = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc, colour: "blue" } });
        assert.ok(unknown.json.errors.some((e: { field: string }) => e.field.includes("colour")));
        const range = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc, priority: 11 } });
        assert.deepEqual(
          range.json.errors.map((e: { field: string }) => e.field),
          ["body.priority"],
        );
        const jsonUpload = await u.alice.req("POST", "/api/v1/documents/upload", { json: { file: "x" } });
        assert.equal(jsonUpload.status, 415);
        const multipartSubmit = new FormData();
        multipartSubmit.append("document_id", doc);
        assert.equal((await u.alice.req("POST", "/api/v1/ocr/submit", { body: multipartSubmit })).status, 415);
        assert.equal((await u.alice.req("GET", "/api/v1/nope")).json.code, "not_found");
        assert.equal((await u.alice.req("GET", "/api/v1/documents?page=0")).status, 400);
        assert.equal(
          (await u.alice.req("POST", "/api/v1/auth/login", { json: { email: "not-an-email", password: "x" } })).json
            .code,
          "validation_error",
        );
      },
    );

    it("Idempotency-Key: same key and request → first response; different request → 422", { skip }, async () => {
      const doc = (await u.alice.upload(pngBytes(), "idem.png")).json.document.id;
      const key = { "idempotency-key": `submit-${doc}` };
      const first = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc }, headers: key });
      const second = await u.alice.req("POST", "/api/v1/ocr/submit", { json: { document_id: doc }, headers: key });
      assert.equal(first.status, 202);
      assert.equal(second.status, 202);
      assert.equal(second.json.id, first.json.id);
      assert.equal((await u.alice.req("GET", `/api/v1/ocr/jobs?document_id=${doc}`)).json.total, 1);
      const different = await u.alice.req("POST", "/api/v1/ocr/submit", {
        json: { document_id: doc, priority: 1 },
        headers: key,
      });
      assert.equal(different.status, 422);
      assert.equal(different.json.code, "idempotency_key_reused");
      // Keys are per user: bob's same key is a different key.
      const bobDoc = (await u.bob.upload(pngBytes(), "idem-b.png")).json.document.id;
      assert.equal(
        (await u.bob.req("POST", "/api/v1/ocr/submit", { json: { document_id: bobDoc }, headers: key })).status,
        202,
      );

      const bytes = pngBytes();
      const upKey = { "idempotency-key": "upload-1" };
      const up1 = await u.alice.upload(bytes, "u.png", { process: "true" }, upKey);
      const up2 = await u.alice.upload(bytes, "u.png", { process: "true" }, upKey);
      assert.equal(up1.status, 201);
      assert.equal(up2.status, 201, "the first response, not a duplicate answer");
      assert.deepEqual(up2.json, up1.json);
      assert.equal((await u.alice.upload(pngBytes(), "u.png", {}, upKey)).status, 422);

      const ids = [(await u.alice.upload(pngBytes(), "k1.png")).json.document.id];
      const bKey = { "idempotency-key": "batch-1" };
      const b1 = await u.alice.req("POST", "/api/v1/ocr/batch", { json: { document_ids: ids }, headers: bKey });
      const b2 = await u.alice.req("POST", "/api/v1/ocr/batch", { json: { document_ids: ids }, headers: bKey });
      assert.equal(b2.json.batch_id, b1.json.batch_id);
    });
  });
}
