/**
 * Destinations through the real HTTP API: CRUD scoped to the owner, secrets encrypted and
 * masked, folder roots, delivery steps planned after export and counted from the start,
 * webhook deliveries to a real receiver that verifies every signature, failures with their
 * codes, retry that resumes at the delivery alone.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLogger } from "../../src/logger.js";
import { DIALECTS, skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, waitForJob, type Client, type TestServer, type Users } from "../api/support.js";
import { startDeliveryServer, startReceiver } from "./support.js";

const SECRET = "receiver-secret-123";

async function uploadDoc(c: Client, name = "Invoice 7.png") {
  const up = await c.upload(pngBytes(), name);
  assert.equal(up.status, 201, up.text);
  return up.json.document.id as string;
}

for (const dialect of DIALECTS) {
  describe(`destinations API on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    let root: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    before(async () => {
      if (skip) return;
      root = await mkdtemp(join(tmpdir(), "docket-folder-root-"));
      receiver = await startReceiver(SECRET);
      server = await startDeliveryServer(dialect, { DOCKET_FOLDER_ROOTS: root });
      u = await createUsers(server.base);
    });
    after(async () => {
      if (skip) return;
      await server.close();
      await receiver.close();
      await rm(root, { recursive: true, force: true });
    });

    it(
      "creates, lists, changes and deletes destinations per owner; secrets are masked and encrypted",
      { skip },
      async () => {
        const created = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "hook", kind: "webhook", config: { url: receiver.url, secret: SECRET } },
        });
        assert.equal(created.status, 201, created.text);
        assert.equal(created.json.kind, "webhook");
        assert.equal(created.json.config.secret, "********");
        assert.equal(created.json.is_default, false);
        assert.ok(!created.text.includes(SECRET));
        const id = created.json.id as string;

        const row = await server.docket.database.db
          .selectFrom("destinations" as never)
          .selectAll()
          .where("id" as never, "=", id as never)
          .executeTakeFirstOrThrow();
        assert.ok(!JSON.stringify(row).includes(SECRET), "the secret is not stored in clear");

        const list = await u.alice.req("GET", "/api/v1/destinations");
        assert.deepEqual(
          list.json.items.map((d: { id: string }) => d.id),
          [id],
        );
        assert.equal((await u.bob.req("GET", `/api/v1/destinations/${id}`)).status, 404);
        assert.equal((await u.bob.req("GET", "/api/v1/destinations")).json.items.length, 0);
        assert.equal((await u.bob.req("DELETE", `/api/v1/destinations/${id}`)).status, 404);

        const renamed = await u.alice.req("PATCH", `/api/v1/destinations/${id}`, {
          json: { name: "hook 2", config: { url: receiver.url, secret: "********" } },
        });
        assert.equal(renamed.status, 200, renamed.text);
        assert.equal(renamed.json.name, "hook 2");
        // The masked secret kept the stored one: a test POST still verifies with SECRET.
        const before = receiver.received.length;
        const test = await u.alice.req("POST", `/api/v1/destinations/${id}/test`);
        assert.deepEqual(test.json.ok, true, test.text);
        const probe = receiver.received.slice(before);
        assert.equal(probe.length, 1);
        assert.equal(probe[0]!.signatureValid, true);

        const duplicate = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "hook 2", kind: "webhook", config: { url: receiver.url } },
        });
        assert.equal(duplicate.status, 409);
        assert.equal((await u.alice.req("DELETE", `/api/v1/destinations/${id}`)).status, 204);
        assert.equal((await u.alice.req("GET", `/api/v1/destinations/${id}`)).status, 404);
      },
    );

    it(
      "refuses bad configs with the fields named, and folders outside the roots or with path tricks",
      { skip },
      async () => {
        const bad = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "s3", kind: "s3", config: { bucket: "x" } },
        });
        assert.equal(bad.status, 400);
        assert.equal(bad.json.code, "validation_error");
        assert.match(bad.json.detail, /access_key_id/);
        for (const path of ["/etc", `${root}/../etc`, `${root}/./a`, "relative/path", `${root}x`]) {
          const res = await u.alice.req("POST", "/api/v1/destinations", {
            json: { name: "folder", kind: "folder", config: { path } },
          });
          assert.equal(res.status, 400, `${path}: ${res.text}`);
          assert.equal(res.json.code, "validation_error");
        }
        const badName = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "a/b:c", kind: "folder", config: { path: root } },
        });
        assert.equal(badName.status, 400);
      },
    );

    it(
      "plans deliver steps after export, counted from the start, and delivers to a folder and a webhook",
      { skip },
      async () => {
        const folder = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "archive", kind: "folder", config: { path: join(root, "alice", "in") } },
        });
        assert.equal(folder.status, 201, folder.text);
        const docId = await uploadDoc(u.alice);
        // Room for the text output inline, not for the PDF too.
        const inline = Buffer.byteLength(`Hello from document ${docId}`);
        const hook = await u.alice.req("POST", "/api/v1/destinations", {
          json: {
            name: "erp",
            kind: "webhook",
            config: { url: receiver.url, secret: SECRET, inline_max_bytes: inline },
          },
        });
        const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
          json: { document_id: docId, outputs: ["txt", "pdf"], destinations: [folder.json.id, hook.json.id] },
        });
        assert.equal(submit.status, 202, submit.text);
        assert.deepEqual(
          submit.json.steps.map((s: { name: string }) => s.name),
          ["validate", "ocr", "export", "deliver:archive", "deliver:erp"],
        );
        assert.equal(submit.json.progress.total_steps, 5);
        const before = receiver.received.length;
        const done = await waitForJob(u.alice, submit.json.id, ["completed", "failed"]);
        assert.equal(done.status, "completed", JSON.stringify(done.error));

        const files = (await readdir(join(root, "alice", "in"))).sort();
        assert.deepEqual(files, ["Invoice 7.pdf", "Invoice 7.txt"], "only the outputs, no temporary files");
        assert.equal(
          await readFile(join(root, "alice", "in", "Invoice 7.txt"), "utf8"),
          `Hello from document ${docId}`,
        );

        const got = receiver.received.slice(before);
        assert.equal(got.length, 1);
        assert.equal(got[0]!.signatureValid, true);
        assert.match(String(got[0]!.headers["docket-delivery"]), /^dlv_/);
        assert.equal(got[0]!.json.type, "job.delivery");
        assert.equal(got[0]!.json.data.job_id, submit.json.id);
        const byName = Object.fromEntries(got[0]!.json.data.files.map((f: { name: string }) => [f.name, f]));
        // Under the inline limit: the text travels inline; the PDF (over the budget left) as a link.
        assert.equal(
          Buffer.from(byName["Invoice 7.txt"].content_base64, "base64").toString(),
          `Hello from document ${docId}`,
        );
        assert.equal(byName["Invoice 7.pdf"].content_base64, undefined);
        assert.equal(byName["Invoice 7.pdf"].path, `/api/v1/ocr/jobs/${submit.json.id}/result/pdf`);

        const deliveries = await u.alice.req("GET", `/api/v1/ocr/jobs/${submit.json.id}/deliveries`);
        assert.equal(deliveries.status, 200, deliveries.text);
        assert.deepEqual(
          deliveries.json.items.map((d: { step: string; status: string; destination_id: string }) => [
            d.step,
            d.status,
            d.destination_id,
          ]),
          [
            ["deliver:archive", "success", folder.json.id],
            ["deliver:erp", "success", hook.json.id],
          ],
        );
        assert.equal(deliveries.json.items[0].location, join(root, "alice", "in"));
        assert.ok(deliveries.json.items[0].delivered_at);
        assert.equal((await u.bob.req("GET", `/api/v1/ocr/jobs/${submit.json.id}/deliveries`)).status, 404);
        const events = await server.docket.database.db.selectFrom("job_events").selectAll().execute();
        assert.ok(events.length > 0);
        assert.ok(!JSON.stringify(events).includes(SECRET), "no secret in any event");
      },
    );

    it(
      "uses the user's default destinations when a submit names none; [] means none; unknown ids are a 400",
      { skip },
      async () => {
        const def = await u.bob.req("POST", "/api/v1/destinations", {
          json: { name: "default box", kind: "folder", config: { path: join(root, "bob") }, is_default: true },
        });
        assert.equal(def.status, 201, def.text);
        const docId = await uploadDoc(u.bob, "receipt.png");
        const withDefault = await u.bob.req("POST", "/api/v1/ocr/submit", { json: { document_id: docId } });
        assert.deepEqual(withDefault.json.steps.at(-1).name, "deliver:default box");
        await waitForJob(u.bob, withDefault.json.id, ["completed"]);
        const docTwo = await uploadDoc(u.bob, "second.png");
        const none = await u.bob.req("POST", "/api/v1/ocr/submit", { json: { document_id: docTwo, destinations: [] } });
        assert.equal(none.json.steps.at(-1).name, "export");
        const unknown = await u.bob.req("POST", "/api/v1/ocr/submit", {
          json: { document_id: docTwo, destinations: ["nope"] },
        });
        assert.equal(unknown.status, 400);
        // Another user's destination is unknown too.
        const alices = (await u.alice.req("GET", "/api/v1/destinations")).json.items[0].id;
        const foreign = await u.bob.req("POST", "/api/v1/ocr/submit", {
          json: { document_id: docTwo, destinations: [alices] },
        });
        assert.equal(foreign.status, 400);
        // Upload with process=true takes destinations as a form field.
        const up = await u.bob.upload(pngBytes(), "form.png", { process: "true", destinations: def.json.id });
        assert.equal(up.status, 201, up.text);
        assert.equal(up.json.job.steps.at(-1).name, "deliver:default box");
        await waitForJob(u.bob, up.json.job.id, ["completed"]);
        assert.deepEqual(
          (await readdir(join(root, "bob"))).sort(),
          [
            "form.json",
            "form.md",
            "form.pdf",
            "form.txt",
            "form.hocr",
            "receipt.hocr",
            "receipt.json",
            "receipt.md",
            "receipt.pdf",
            "receipt.txt",
          ].sort(),
        );
      },
    );

    it(
      "a webhook that answers 503 is retried with the same Docket-Delivery id until it takes it",
      { skip },
      async () => {
        const hook = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "flaky", kind: "webhook", config: { url: `${receiver.url}?flaky`, secret: SECRET } },
        });
        let calls = 0;
        receiver.answerWith((r) => (r.path.includes("flaky") && ++calls < 3 ? 503 : 200));
        const docId = await uploadDoc(u.alice, "flaky.png");
        const before = receiver.received.length;
        const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
          json: { document_id: docId, destinations: [hook.json.id] },
        });
        const done = await waitForJob(u.alice, submit.json.id, ["completed", "failed"]);
        receiver.answerWith(() => 200);
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        const got = receiver.received.slice(before);
        assert.equal(got.length, 3);
        assert.equal(
          new Set(got.map((r) => r.headers["docket-delivery"])).size,
          1,
          "one delivery id for every attempt",
        );
        assert.ok(got.every((r) => r.signatureValid));
        const step = done.steps.find((s: { name: string }) => s.name === "deliver:flaky");
        assert.equal(step.attempts, 3);
      },
    );

    it(
      "a receiver that is down fails the step as unreachable; retry after it is back resumes at that delivery only",
      { skip },
      async () => {
        const hook = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "down", kind: "webhook", config: { url: receiver.url, secret: SECRET } },
        });
        const folder = await u.alice.req("POST", "/api/v1/destinations", {
          json: { name: "first", kind: "folder", config: { path: join(root, "alice", "first") } },
        });
        await receiver.down();
        const docId = await uploadDoc(u.alice, "down.png");
        const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
          json: { document_id: docId, destinations: [folder.json.id, hook.json.id] },
        });
        let failed;
        try {
          failed = await waitForJob(u.alice, submit.json.id, ["failed", "completed"], 20_000);
        } finally {
          await receiver.up();
        }
        assert.equal(failed.status, "failed");
        assert.equal(failed.error.code, "destination_unreachable");
        const deliveries = await u.alice.req("GET", `/api/v1/ocr/jobs/${submit.json.id}/deliveries`);
        const down = deliveries.json.items.find((d: { step: string }) => d.step === "deliver:down");
        assert.equal(down.status, "failure");
        assert.equal(down.last_error.code, "destination_unreachable");
        assert.equal(down.delivered_at, null);

        const before = receiver.received.length;
        const retry = await u.alice.req("POST", `/api/v1/ocr/jobs/${submit.json.id}/retry`);
        assert.equal(retry.status, 202, retry.text);
        const done = await waitForJob(u.alice, submit.json.id, ["completed", "failed"], 20_000);
        assert.equal(done.status, "completed", JSON.stringify(done.error));
        const attempts = Object.fromEntries(
          done.steps.map((s: { name: string; attempts: number }) => [s.name, s.attempts]),
        );
        assert.equal(attempts.ocr, 1, "OCR did not run again");
        assert.equal(attempts.export, 1);
        assert.equal(attempts["deliver:first"], 1, "the delivery that had succeeded did not run again");
        const got = receiver.received.slice(before);
        assert.equal(got.length, 1, "delivered once");
        assert.ok(got[0]!.signatureValid);
      },
    );

    it("a receiver that refuses the credentials fails the step at once with destination_auth", { skip }, async () => {
      const hook = await u.alice.req("POST", "/api/v1/destinations", {
        json: { name: "locked", kind: "webhook", config: { url: `${receiver.url}?locked`, secret: SECRET } },
      });
      receiver.answerWith((r) => (r.path.includes("locked") ? 401 : 200));
      const docId = await uploadDoc(u.alice, "locked.png");
      const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
        json: { document_id: docId, destinations: [hook.json.id] },
      });
      const done = await waitForJob(u.alice, submit.json.id, ["completed", "failed"]);
      receiver.answerWith(() => 200);
      assert.equal(done.status, "failed");
      assert.equal(done.error.code, "destination_auth");
      assert.equal(done.steps.at(-1).attempts, 1, "not retried: the same credentials would be refused again");
      const test = await u.alice.req("POST", `/api/v1/destinations/${hook.json.id}/test`);
      assert.equal(test.json.ok, true, "the receiver takes requests again");
    });
  });
}

describe("destinations with private URLs refused (the default)", () => {
  let server: TestServer;
  let u: Users;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const logLines: string[] = [];
  before(async () => {
    receiver = await startReceiver(SECRET);
    // Every log line at trace level is kept, to show that no secret reaches the log.
    server = await startDeliveryServer(
      "sqlite",
      { DOCKET_ALLOW_PRIVATE_URLS: "false" },
      {
        log: createLogger({
          level: "trace",
          format: "json",
          destination: { write: (line: string) => logLines.push(line) },
        }),
      },
    );
    u = await createUsers(server.base);
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it("the test action and a delivery to a name that resolves to loopback are refused, and nothing is sent", async () => {
    const port = new URL(receiver.url).port;
    const hook = await u.alice.req("POST", "/api/v1/destinations", {
      json: { name: "internal", kind: "webhook", config: { url: `http://localhost:${port}/hook`, secret: SECRET } },
    });
    assert.equal(hook.status, 201, hook.text);
    const test = await u.alice.req("POST", `/api/v1/destinations/${hook.json.id}/test`);
    assert.equal(test.status, 200);
    assert.equal(test.json.ok, false);
    assert.match(test.json.detail, /destination_rejected: .*127\.0\.0\.1.*refused/);
    const docId = await uploadDoc(u.alice, "ssrf.png");
    const submit = await u.alice.req("POST", "/api/v1/ocr/submit", {
      json: { document_id: docId, destinations: [hook.json.id] },
    });
    const done = await waitForJob(u.alice, submit.json.id, ["completed", "failed"]);
    assert.equal(done.status, "failed");
    assert.equal(done.error.code, "destination_rejected");
    const metadata = await u.alice.req("POST", "/api/v1/webhooks", {
      json: { url: "http://169.254.169.254/latest/meta-data/", secret: SECRET, events: ["job.completed"] },
    });
    assert.equal(metadata.status, 400);
    assert.equal(receiver.received.length, 0, "no request reached the loopback receiver");
    assert.ok(
      logLines.some((l) => l.includes("step failed")),
      "the failure was logged",
    );
    assert.ok(!logLines.some((l) => l.includes(SECRET)), "the secret was not");
  });
});
