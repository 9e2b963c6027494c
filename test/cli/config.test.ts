/**
 * Configuration: the API.md names from the environment and an optional config file (JSON or
 * NAME=value lines), environment first, validated at start with one line per problem;
 * `docket config` shows the effective values, their source, and no secret.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectSettings, ConfigError, loadConfig } from "../../src/config.js";
import { FixtureDir } from "../fixtures/generate.js";
import { runCli } from "./support.js";

const encode = (text: string) => new TextEncoder().encode(text);

describe("configuration", () => {
  let files: FixtureDir;
  before(async () => {
    files = await FixtureDir.create();
  });
  after(async () => {
    await files.remove();
  });

  it("reads a JSON config file; the environment overrides it; defaults fill the rest", async () => {
    const file = await files.write(
      "docket.json",
      encode(
        JSON.stringify({ PORT: 4100, DOCKET_WORKERS: 3, DOCKET_OCR_LANGS: ["eng", "pol"], DOCKET_TRUST_PROXY: true }),
      ),
    );
    const config = loadConfig({ DOCKET_CONFIG: file, DOCKET_WORKERS: "5" });
    assert.equal(config.port, 4100);
    assert.equal(config.workers, 5, "environment over file");
    assert.deepEqual(config.ocrLanguages, ["eng", "pol"]);
    assert.equal(config.trustProxy, true);
    assert.equal(config.host, "127.0.0.1");
    const settings = collectSettings({ DOCKET_CONFIG: file, DOCKET_WORKERS: "5" });
    assert.equal(settings.sources.PORT, "file");
    assert.equal(settings.sources.DOCKET_WORKERS, "environment");
    assert.equal(settings.sources.HOST, "default");
  });

  it("reads NAME=value files (comments, quotes) like systemd's EnvironmentFile", async () => {
    const file = await files.write(
      "docket.env",
      encode('# Docket\nPORT=4200\nDOCKET_OCR_LANGS="eng,deu"\n\nLOG_LEVEL=warn\n'),
    );
    const config = loadConfig({}, { file });
    assert.equal(config.port, 4200);
    assert.deepEqual(config.ocrLanguages, ["eng", "deu"]);
    assert.equal(config.logLevel, "warn");
  });

  it("reports every problem at once, one line each, naming where a bad value came from and never showing a secret", async () => {
    const file = await files.write(
      "bad.json",
      encode(
        JSON.stringify({
          DOCKET_WORKER: 2,
          PORT: "eighty",
          DOCKET_ADMIN_PASSWORD: "short",
          DOCKET_OCR_LANGS: { eng: true },
        }),
      ),
    );
    let error: unknown;
    try {
      loadConfig({ DOCKET_CONFIG: file, LOG_LEVEL: "loud", DOCKET_MAX_UPLOAD_MB: "-1" });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, [
      `config file ${file}: unknown setting DOCKET_WORKER (did you mean DOCKET_WORKERS?)`,
      `config file ${file}: DOCKET_OCR_LANGS must be a string, number or boolean`,
      `PORT: must be a number (got "eighty" from ${file})`,
      `DOCKET_ADMIN_PASSWORD: must be at least 8 characters (set from ${file})`,
      'DOCKET_MAX_UPLOAD_MB: must be more than 0 (got "-1")',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
    assert.ok(!error.message.includes("short"), "the password is never shown");
    assert.throws(() => loadConfig({ DOCKET_CONFIG: `${file}.missing` }), /cannot read it \(ENOENT\)/);
    const broken = await files.write("broken.json", encode("{ PORT: 1"));
    assert.throws(() => loadConfig({ DOCKET_CONFIG: broken }), /not valid JSON/);
  });

  it("docket config shows the effective values with their sources, secrets masked; --config beats DOCKET_CONFIG", async () => {
    const file = await files.write(
      "cli.json",
      encode(
        JSON.stringify({
          PORT: 4300,
          DATABASE_URL: "postgres://docket:hunter2hunter2@db.example/docket",
          DOCKET_ADMIN_PASSWORD: "a-long-admin-password",
        }),
      ),
    );
    const ignored = await files.write("ignored.json", encode(JSON.stringify({ PORT: 1234 })));
    const run = await runCli(["--config", file, "config", "--json"], {
      env: { DOCKET_CONFIG: ignored, DOCKET_WORKERS: "2", DOCKET_TOKEN: "dkt_supersecretvalue" },
    });
    assert.equal(run.code, 0, run.stderr);
    const shown = JSON.parse(run.stdout) as {
      file: string;
      settings: { name: string; value: unknown; source: string }[];
    };
    const byName = new Map(shown.settings.map((s) => [s.name, s]));
    assert.equal(shown.file, file);
    assert.deepEqual(byName.get("PORT"), { name: "PORT", value: 4300, source: "file" });
    assert.deepEqual(byName.get("DOCKET_WORKERS"), { name: "DOCKET_WORKERS", value: 2, source: "environment" });
    assert.deepEqual(byName.get("HOST"), { name: "HOST", value: "127.0.0.1", source: "default" });
    assert.equal(byName.get("DATABASE_URL")?.value, "postgres://docket:***@db.example/docket");
    assert.equal(byName.get("DOCKET_ADMIN_PASSWORD")?.value, "***");
    for (const secret of ["hunter2", "a-long-admin-password", "supersecret"])
      assert.ok(!run.stdout.includes(secret), `${secret} is masked`);

    const text = await runCli(["--config", file, "config"]);
    assert.match(text.stdout, /^PORT\s+4300\s+\(file\)$/m);
  });

  it("an invalid configuration stops serve at start with exit 2 and one line per problem", async () => {
    const run = await runCli(["serve"], { env: { PORT: "http", DOCKET_WORKERS: "many", DOCKET_DATA_DIR: files.path } });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'docket: invalid configuration:\n  - PORT: must be a number (got "http")\n  - DOCKET_WORKERS: must be a number (got "many")\n',
    );
  });
});
