import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createUsers, startServer, type TestServer, type Users } from "../../api/support.js";
import { DIALECTS, skipReasonFor } from "../../support/databases.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/templates/", import.meta.url));
const LEGACY = readFileSync(join(FIXTURES, "pl.acme-legacy.yml"), "utf8");
const LINES = readFileSync(join(FIXTURES, "de.muster-lines.yml"), "utf8");

for (const dialect of DIALECTS) {
  describe(`template admin routes on ${dialect}`, async () => {
    const skip = await skipReasonFor(dialect);
    let server: TestServer;
    let u: Users;
    let dir: string;

    before(async () => {
      if (skip) return;
      // A templates folder with a nested file, as invoice2data's own folders are laid out.
      dir = mkdtempSync(join(tmpdir(), "docket-templates-"));
      mkdirSync(join(dir, "pl"));
      copyFileSync(join(FIXTURES, "pl.acme-legacy.yml"), join(dir, "pl", "pl.acme-legacy.yml"));
      server = await startServer(dialect, { DOCKET_TEMPLATES_DIR: dir });
      u = await createUsers(server.base);
    });
    after(async () => {
      if (skip) return;
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("lists folder templates, uploads (YAML or JSON body), reads, replaces and deletes", { skip }, async () => {
      const list = await u.admin.req("GET", "/api/v1/templates");
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(
        list.json.items.map((t: { name: string; source: string; issuer: string; keywords: string[] }) => [
          t.name,
          t.source,
          t.issuer,
          t.keywords,
        ]),
        [["pl.acme-legacy", "directory", "ACME Sp. z o.o.", ["ACME Sp\\. z o\\.o\\.", "NIP 525-000-00-03"]]],
      );
      assert.equal(list.json.total, 1);

      const yaml = await u.admin.req("GET", "/api/v1/templates/pl.acme-legacy");
      assert.equal(yaml.status, 200);
      assert.match(yaml.headers.get("content-type") ?? "", /^application\/yaml/);
      assert.equal(yaml.headers.get("x-template-source"), "directory");
      assert.equal(yaml.text, LEGACY);

      const created = await u.admin.req("PUT", "/api/v1/templates/de.muster", {
        body: LINES,
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.name, "de.muster");
      assert.equal(created.json.source, "uploaded");
      assert.equal(created.json.issuer, "Muster GmbH");
      assert.ok(!Number.isNaN(Date.parse(created.json.updated_at)));

      const replaced = await u.admin.req("PUT", "/api/v1/templates/de.muster", {
        json: { yaml: LINES.replace("priority: 6", "priority: 7") },
      });
      assert.equal(replaced.status, 200, replaced.text);
      assert.ok(Date.parse(replaced.json.updated_at) >= Date.parse(created.json.updated_at));
      const read = await u.admin.req("GET", "/api/v1/templates/de.muster");
      assert.equal(read.headers.get("x-template-source"), "uploaded");
      assert.match(read.text, /priority: 7/);

      const plain = await u.admin.req("PUT", "/api/v1/templates/x.plain", {
        body: "keywords: [Foo]\nfields:\n  amount: Total (\\d+)\n",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(plain.status, 201, plain.text);

      // An upload named like a folder template wins over it, and deleting it brings the file back.
      const shadow = await u.admin.req("PUT", "/api/v1/templates/pl.acme-legacy", {
        body: LEGACY.replace("issuer: ACME Sp. z o.o.", "issuer: ACME (uploaded)"),
        headers: { "content-type": "text/yaml" },
      });
      assert.equal(shadow.status, 201, shadow.text);
      const both = await u.admin.req("GET", "/api/v1/templates");
      assert.deepEqual(
        both.json.items.map((t: { name: string; source: string }) => `${t.name}:${t.source}`),
        ["de.muster:uploaded", "pl.acme-legacy:uploaded", "x.plain:uploaded"],
      );
      assert.equal(both.json.items[1].issuer, "ACME (uploaded)");
      assert.equal((await u.admin.req("DELETE", "/api/v1/templates/pl.acme-legacy")).status, 204);
      const back = await u.admin.req("GET", "/api/v1/templates/pl.acme-legacy");
      assert.equal(back.headers.get("x-template-source"), "directory");

      // Only uploads can be deleted here.
      const fromFolder = await u.admin.req("DELETE", "/api/v1/templates/pl.acme-legacy");
      assert.equal(fromFolder.status, 409, fromFolder.text);
      assert.equal(fromFolder.json.code, "conflict");
      assert.equal((await u.admin.req("DELETE", "/api/v1/templates/x.plain")).status, 204);
      assert.equal((await u.admin.req("DELETE", "/api/v1/templates/x.plain")).status, 404);
      assert.equal((await u.admin.req("GET", "/api/v1/templates/x.plain")).status, 404);
    });

    it("refuses a template it cannot read with 400 naming the template and the problem", { skip }, async () => {
      const badRegex = await u.admin.req("PUT", "/api/v1/templates/broken", {
        body: "keywords: [Foo]\nfields:\n  amount: Total (\\d+\n",
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(badRegex.status, 400, badRegex.text);
      assert.equal(badRegex.json.code, "validation_error");
      assert.match(badRegex.json.detail, /template "broken": fields\.amount\[0\]: invalid regular expression/);

      const possessive = await u.admin.req("PUT", "/api/v1/templates/broken", {
        json: { yaml: "keywords: [Foo]\nfields:\n  amount: Total (\\d++)\n" },
      });
      assert.equal(possessive.status, 400);
      assert.match(possessive.json.detail, /possessive/);

      const noKeywords = await u.admin.req("PUT", "/api/v1/templates/broken", {
        body: "issuer: X\nfields:\n  amount: (\\d+)\n",
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(noKeywords.status, 400);
      assert.match(noKeywords.json.detail, /keywords are required/);

      const notYaml = await u.admin.req("PUT", "/api/v1/templates/broken", {
        body: "keywords: [Foo\n",
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(notYaml.status, 400);
      assert.match(notYaml.json.detail, /not valid YAML/);

      const badName = await u.admin.req("PUT", "/api/v1/templates/..", {
        body: LINES,
        headers: { "content-type": "application/yaml" },
      });
      assert.ok(badName.status === 400 || badName.status === 404, `a path trick is refused: ${badName.status}`);
      const upper = await u.admin.req("PUT", "/api/v1/templates/Bad%20Name", {
        body: LINES,
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(upper.status, 400);

      const list = await u.admin.req("GET", "/api/v1/templates");
      assert.ok(!list.json.items.some((t: { name: string }) => t.name === "broken"), "nothing stored");
    });

    it("is described in the OpenAPI document", { skip }, async () => {
      const spec = (await (await fetch(`${server.base}/api/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      assert.deepEqual(Object.keys(spec.paths["/api/v1/templates"] ?? {}), ["get"]);
      assert.deepEqual(Object.keys(spec.paths["/api/v1/templates/{name}"] ?? {}).sort(), ["delete", "get", "put"]);
    });

    it("is for admins only", { skip }, async () => {
      assert.equal((await u.alice.req("GET", "/api/v1/templates")).status, 403);
      assert.equal((await u.alice.req("GET", "/api/v1/templates/pl.acme-legacy")).status, 403);
      const put = await u.alice.req("PUT", "/api/v1/templates/mine", {
        body: LINES,
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(put.status, 403);
      assert.equal((await u.alice.req("DELETE", "/api/v1/templates/pl.acme-legacy")).status, 403);
      assert.equal((await u.anon.req("GET", "/api/v1/templates")).status, 401);
      // Plain text stays refused on other routes.
      const other = await u.alice.req("POST", "/api/v1/tokens", {
        body: "name",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(other.status, 415);
    });
  });
}
