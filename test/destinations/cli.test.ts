/**
 * `docket destinations …` and `docket webhooks …` as a person runs them: a real subprocess
 * against a real server (remote mode) that delivers to a real folder and a real receiver,
 * and on a data dir (local mode) where the secret key file is shared with the server.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { client, pngBytes, waitFor, waitForJob, type TestServer } from "../api/support.js";
import { adminToken, runCli, type CliOptions } from "../cli/support.js";
import { startDeliveryServer, startReceiver } from "./support.js";

const SECRET = "cli-secret-1234";

describe("docket destinations and webhooks (remote mode)", () => {
  let server: TestServer;
  let token: string;
  let root: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const docket = (args: string[], options: CliOptions = {}) =>
    runCli(args, { ...options, env: { DOCKET_URL: server.base, DOCKET_TOKEN: token, ...options.env } });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "docket-cli-dest-"));
    receiver = await startReceiver(SECRET);
    server = await startDeliveryServer("sqlite", { DOCKET_FOLDER_ROOTS: root });
    token = await adminToken(server.base);
  });
  after(async () => {
    await server.close();
    await receiver.close();
    await rm(root, { recursive: true, force: true });
  });

  it("adds, lists (secrets masked), tests and removes destinations; docket add --destinations delivers there", async () => {
    const folder = await docket([
      "destinations",
      "add",
      "archive",
      "--kind",
      "folder",
      "--path",
      join(root, "a"),
      "--default",
    ]);
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(folder.stdout, /^added folder destination archive \(/);
    const folderId = /\(([^)]+)\)/.exec(folder.stdout)![1]!;
    const hook = await docket(
      ["destinations", "add", "erp", "--kind", "webhook", "--to", receiver.url, "--secret-stdin", "--json"],
      {
        input: `${SECRET}\n`,
      },
    );
    assert.equal(hook.code, 0, hook.stderr);
    const hookJson = JSON.parse(hook.stdout);
    assert.equal(hookJson.config.secret, "********");

    const list = await docket(["destinations", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /archive\s+folder\s+yes/);
    assert.match(list.stdout, /secret=\*\*\*\*\*\*\*\*/);
    assert.ok(!list.stdout.includes(SECRET));

    const test = await docket(["destinations", "test", "erp"]);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /^ok: /);
    assert.ok(receiver.received.at(-1)!.signatureValid, "the secret from stdin signs the request");

    // `docket add --destinations` names them (the folder here; the hook is not a default).
    const file = join(root, "cli doc.png");
    await writeFile(file, pngBytes());
    const added = await docket(["add", file, "--destinations", folderId, "--wait", "--json"]);
    assert.equal(added.code, 0, added.stderr);
    const jobId = JSON.parse(added.stdout).files[0].job.id as string;
    assert.equal(JSON.parse(added.stdout).files[0].job.steps.at(-1).name, "deliver:archive");
    const deliveries = await docket(["destinations", "deliveries", jobId]);
    assert.equal(deliveries.code, 0, deliveries.stderr);
    assert.match(deliveries.stdout, /deliver:archive\s+success\s+1/);
    assert.equal((await readdir(join(root, "a"))).length, 5);

    const rm = await docket(["destinations", "rm", "erp"]);
    assert.equal(rm.code, 0, rm.stderr);
  });

  it("subscribes a webhook, shows its log and redelivers", async () => {
    const add = await docket(
      ["webhooks", "add", `${receiver.url}/events`, "--events", "job.completed,job.failed", "--secret-stdin", "--json"],
      {
        input: `${SECRET}\n`,
      },
    );
    assert.equal(add.code, 0, add.stderr);
    const id = JSON.parse(add.stdout).id as string;

    const up = await client(server.base, token).upload(pngBytes(), "event.png", {
      process: "true",
      destinations: "[]",
    });
    await waitForJob(client(server.base, token), up.json.job.id, ["completed"]);
    const events = () => receiver.received.filter((r) => r.path.endsWith("/events"));
    await waitFor("the event", async () => events().length >= 1);
    const log = await docket(["webhooks", "deliveries", id, "--json"]);
    assert.equal(log.code, 0, log.stderr);
    const delivery = JSON.parse(log.stdout).items[0];
    assert.equal(delivery.status, "delivered");
    assert.equal(delivery.response_status, 200);
    const again = await docket(["webhooks", "redeliver", id, delivery.id]);
    assert.equal(again.code, 0, again.stderr);
    await waitFor("the redelivery", async () => events().length >= 2);
    assert.equal(events()[1]!.headers["docket-delivery"], delivery.id);
    const list = await docket(["webhooks", "list"]);
    assert.match(list.stdout, /job\.completed,job\.failed\s+active/);
  });
});

describe("docket destinations (local mode)", () => {
  it("works on the data dir as its operator, and secrets are encrypted with the data dir's key", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "docket-cli-local-"));
    try {
      const env = {
        DOCKET_DATA_DIR: dataDir,
        DOCKET_FOLDER_ROOTS: dataDir,
        DOCKET_ADMIN_EMAIL: "op@example.test",
        DOCKET_ADMIN_PASSWORD: "operator-pass",
      };
      const add = await runCli(
        [
          "destinations",
          "add",
          "nas",
          "--kind",
          "webdav",
          "--to",
          "http://nas.example/dav/",
          "--username",
          "me",
          "--secret-stdin",
        ],
        {
          env,
          input: "dav-secret\n",
        },
      );
      assert.equal(add.code, 0, add.stderr);
      const list = await runCli(["destinations", "list", "--json"], { env });
      assert.equal(list.code, 0, list.stderr);
      const [only] = JSON.parse(list.stdout).items;
      assert.equal(only.config.password, "********");
      assert.ok((await readdir(dataDir)).includes("secret.key"), "a key was generated in the data dir");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
