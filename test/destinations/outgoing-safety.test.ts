/**
 * Outgoing request safety against real sockets: names resolved by the real resolver, real
 * HTTP servers on this machine, real redirects. Nothing is mocked.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { isRestrictedAddress } from "../../src/net/address-policy.js";
import { OutgoingRequestError, safeRequest } from "../../src/net/safe-http.js";

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

/** An address of this machine that the policy counts as public (e.g. a TEST-NET address on eth0), if any. */
function publicLocalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !isRestrictedAddress(a.address)) return a.address;
  return undefined;
}

const refused = (kind: string) => (error: unknown) => {
  assert.ok(error instanceof OutgoingRequestError, `expected an OutgoingRequestError, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  return true;
};

describe("outgoing request safety", () => {
  let hits = 0;
  const target = createServer((req, res) => {
    hits++;
    if (req.url === "/big") {
      res.end(Buffer.alloc(200_000, 97));
      return;
    }
    if (req.url === "/slow") return; // never answers
    res.end("private hello");
  });
  let targetPort = 0;
  const publicAddress = publicLocalAddress();
  const redirector = createServer((req, res) => {
    const to = new URL(req.url!, "http://x").searchParams.get("to")!;
    res.writeHead(302, { location: to }).end();
  });
  let redirectorPort = 0;

  before(async () => {
    targetPort = await listen(target, "127.0.0.1");
    if (publicAddress) redirectorPort = await listen(redirector, publicAddress);
  });
  after(() => {
    target.closeAllConnections();
    target.close();
    redirector.close();
  });

  it("classifies addresses", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1"])
      assert.equal(isRestrictedAddress(a), true, a);
    for (const a of ["fd00::2", "::ffff:127.0.0.1", "::ffff:7f00:1", "0.0.0.0", "100.64.0.1", "224.0.0.1"])
      assert.equal(isRestrictedAddress(a), true, a);
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700::1111"]) assert.equal(isRestrictedAddress(a), false, a);
  });

  it("refuses a host name that resolves to loopback (localhost), after DNS resolution", async () => {
    const before = hits;
    await assert.rejects(
      safeRequest({ method: "GET", url: `http://localhost:${targetPort}/` }, { allowPrivate: false }),
      refused("refused"),
    );
    assert.equal(hits, before, "no request reached the server");
  });

  it("refuses the metadata address and loopback literals without connecting", async () => {
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      `http://127.0.0.1:${targetPort}/`,
      `http://[::1]:${targetPort}/`,
      `http://[::ffff:127.0.0.1]:${targetPort}/`,
    ])
      await assert.rejects(safeRequest({ method: "GET", url }, { allowPrivate: false }), refused("refused"), url);
  });

  it("refuses other schemes and credentials in the URL", async () => {
    await assert.rejects(
      safeRequest({ method: "GET", url: "file:///etc/passwd" }, { allowPrivate: true }),
      refused("bad_url"),
    );
    await assert.rejects(
      safeRequest({ method: "GET", url: `http://u:p@127.0.0.1:${targetPort}/` }, { allowPrivate: true }),
      refused("bad_url"),
    );
  });

  it("allows private addresses when DOCKET_ALLOW_PRIVATE_URLS is on", async () => {
    const res = await safeRequest({ method: "GET", url: `http://localhost:${targetPort}/` }, { allowPrivate: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), "private hello");
  });

  it("cuts off a response larger than the limit and times out a silent server", async () => {
    await assert.rejects(
      safeRequest(
        { method: "GET", url: `http://127.0.0.1:${targetPort}/big` },
        { allowPrivate: true, maxResponseBytes: 10_000 },
      ),
      refused("too_large"),
    );
    await assert.rejects(
      safeRequest(
        { method: "GET", url: `http://127.0.0.1:${targetPort}/slow` },
        { allowPrivate: true, timeoutMs: 300 },
      ),
      refused("timeout"),
    );
  });

  it("refuses a redirect from an allowed server to a private address", async (t) => {
    if (!publicAddress)
      return t.skip("skipped: this machine has no non-private interface address to serve the first hop");
    const before = hits;
    const to = encodeURIComponent(`http://127.0.0.1:${targetPort}/`);
    await assert.rejects(
      safeRequest(
        { method: "GET", url: `http://${publicAddress}:${redirectorPort}/?to=${to}` },
        { allowPrivate: false },
      ),
      refused("refused"),
    );
    const viaName = encodeURIComponent(`http://localhost:${targetPort}/`);
    await assert.rejects(
      safeRequest(
        { method: "GET", url: `http://${publicAddress}:${redirectorPort}/?to=${viaName}` },
        { allowPrivate: false },
      ),
      refused("refused"),
    );
    assert.equal(hits, before, "the private server was never reached");
    const scheme = encodeURIComponent("file:///etc/passwd");
    await assert.rejects(
      safeRequest(
        { method: "GET", url: `http://${publicAddress}:${redirectorPort}/?to=${scheme}` },
        { allowPrivate: false },
      ),
      refused("redirect"),
    );
  });
});
