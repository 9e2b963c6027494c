import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { skipReasonFor } from "../support/databases.js";
import { createUsers, pngBytes, startServer } from "./support.js";

describe("shutdown", async () => {
  const skip = await skipReasonFor("sqlite");

  it(
    "close() cuts a download the client stopped reading once the deadline passes, instead of waiting forever",
    { skip },
    async () => {
      const server = await startServer("sqlite", { DOCKET_MAX_UPLOAD_MB: "24" }, { httpCloseDeadlineMs: 300 });
      try {
        const { alice } = await createUsers(server.base);
        // Far more than the loopback socket buffers hold: the server's write stalls.
        const uploaded = await alice.upload(pngBytes(20 * 1024 * 1024), "big.png");
        assert.equal(uploaded.status, 201, uploaded.text);
        const url = new URL(`${server.base}/api/v1/documents/${uploaded.json.document.id}/file`);
        const stalled = await new Promise<{ received: () => number; resume: () => Promise<void> }>(
          (resolve, reject) => {
            const req = request(
              {
                host: url.hostname,
                port: url.port,
                path: url.pathname,
                headers: { authorization: `Bearer ${alice.token}` },
              },
              (res) => {
                assert.equal(res.statusCode, 200);
                let received = 0;
                res.on("data", (chunk: Buffer) => {
                  received += chunk.length;
                  if (received === chunk.length) {
                    res.pause(); // a client gone quiet
                    // Reading again afterwards drains what the kernel buffered, then meets the cut.
                    const resume = () =>
                      new Promise<void>((done) => {
                        res.once("close", () => done());
                        res.resume();
                      });
                    resolve({ received: () => received, resume });
                  }
                });
              },
            );
            req.on("error", reject);
            req.end();
          },
        );
        const started = Date.now();
        await server.docket.close();
        const took = Date.now() - started;
        assert.ok(took < 5_000, `close() took ${took} ms`);
        await stalled.resume();
        assert.ok(stalled.received() < 20 * 1024 * 1024, "the download was cut, not completed");
      } finally {
        await server.db.drop();
      }
    },
  );
});
