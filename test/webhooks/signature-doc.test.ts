/**
 * The 10-line receiver of docs/WEBHOOK-SIGNATURES.md, run as written (a real Node process),
 * accepts what Docket signs and refuses a wrong or stale signature. Also Docket's own signer
 * against its verifier.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { signPayload, verifySignature } from "../../src/webhooks/signature.js";

const DOC = fileURLToPath(new URL("../../docs/WEBHOOK-SIGNATURES.md", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("webhook signatures", () => {
  it("sign and verify agree; a changed body, secret or old timestamp does not verify", () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signPayload("s3cret!!", '{"a":1}', now);
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(verifySignature("s3cret!!", '{"a":1}', header), true);
    assert.equal(verifySignature("s3cret!!", '{"a":2}', header), false);
    assert.equal(verifySignature("other!!!", '{"a":1}', header), false);
    assert.equal(verifySignature("s3cret!!", '{"a":1}', signPayload("s3cret!!", '{"a":1}', now - 3600)), false);
  });

  it("the documented 10-line receiver accepts Docket's signature and refuses bad ones", async () => {
    const code = /## A receiver in 10 lines[\s\S]*?```js\n([\s\S]*?)```/.exec(readFileSync(DOC, "utf8"))?.[1];
    assert.ok(code, "the receiver example is in the document");
    assert.equal(code.trim().split("\n").length, 10, "it is 10 lines");
    const dir = await mkdtemp(join(tmpdir(), "docket-receiver-"));
    const file = join(dir, "receiver.mjs");
    await writeFile(file, code);
    const port = await freePort();
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, PORT: String(port), DOCKET_WEBHOOK_SECRET: "whsec-doc-test" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    try {
      const url = `http://127.0.0.1:${port}/`;
      const send = async (signature: string, body: string, id = "dlv_1") => {
        for (let i = 0; ; i++) {
          try {
            const res = await fetch(url, {
              method: "POST",
              body,
              headers: { "docket-signature": signature, "docket-delivery": id, "content-type": "application/json" },
            });
            return res.status;
          } catch (error) {
            if (i > 100) throw error;
            await sleep(50);
          }
        }
      };
      const body = JSON.stringify({ id: "whd_1", type: "job.completed", data: {} });
      const now = Math.floor(Date.now() / 1000);
      assert.equal(await send(signPayload("whsec-doc-test", body, now), body), 204);
      assert.equal(
        await send(signPayload("whsec-doc-test", body, now), body),
        204,
        "a repeat is accepted (and ignored)",
      );
      assert.equal(await send(signPayload("wrong-secret", body, now), body), 400);
      assert.equal(await send(signPayload("whsec-doc-test", body, now - 3600), body), 400, "stale");
      assert.equal(await send(signPayload("whsec-doc-test", body, now), `${body} `), 400, "body changed");
      assert.equal(stdout.trim(), "job.completed", "handled once");
    } finally {
      child.kill("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
