/**
 * The CLI in remote mode: a real `docket` subprocess talking HTTP (and SSE) to a real server
 * on a loopback port, whose pipeline is scripted by file name (test/cli/support.ts).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FixtureDir } from "../fixtures/generate.js";
import { client, pngBytes, type TestServer } from "../api/support.js";
import { adminToken, openGate, runCli, startCliServer, until, type CliOptions } from "./support.js";

describe("docket CLI against a server (remote mode)", () => {
  let server: TestServer;
  let token: string;
  let files: FixtureDir;
  const env = () => ({ DOCKET_URL: server.base, DOCKET_TOKEN: token });
  const docket = (args: string[], options: CliOptions = {}) =>
    runCli(args, { ...options, env: { ...env(), ...options.env } });
  const png = (name: string) => files.write(name, pngBytes(300));

  before(async () => {
    server = await startCliServer("sqlite");
    token = await adminToken(server.base);
    files = await FixtureDir.create();
  });
  after(async () => {
    await server.close();
    await files.remove();
  });

  it("add --wait shows progress per file from the event stream, then the final status; a failed job exits 1", async () => {
    const ok = await png("slow-scan.png");
    const bad = await png("fail-scan.png");
    const run = await docket(["add", ok, bad, "--wait", "--priority", "7", "--lang", "eng,pol"]);
    assert.equal(run.code, 1, `one job failed: exit 1\n${run.stderr}`);
    // Progress (stderr, plain lines when not a terminal): every step of the scripted pipeline, with in-step progress.
    // (within a step, at most one line a second: not every one of the 10 items)
    assert.match(run.stderr, /slow-scan\.png: processing — ocr, step 2 of 3, \d+%: item \d+ of 10/);
    assert.ok((run.stderr.match(/slow-scan\.png: processing — ocr.*item/g) ?? []).length < 10, run.stderr);
    assert.match(run.stderr, /slow-scan\.png: processing — export, step 3 of 3/);
    assert.match(
      run.stderr,
      /fail-scan\.png: failed — ocr, step 2 of 3: step ocr found the input corrupt \(corrupt_file\)/,
    );
    // The final status of each file on stdout.
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 2, run.stdout);
    const [, okDoc, okJob] =
      /slow-scan\.png: completed in [\d.]+ m?s \(document (\S+), job (\S+)\)$/.exec(lines[0]!) ?? [];
    assert.ok(okDoc && okJob, lines[0]);
    assert.match(
      lines[1]!,
      /fail-scan\.png: failed — ocr, step 2 of 3: step ocr found the input corrupt \(corrupt_file\) \(document \S+, job \S+\)$/,
    );
    // What the CLI said is what the server says.
    const api = client(server.base, token);
    const job = (await api.req("GET", `/api/v1/ocr/jobs/${okJob}`)).json;
    assert.equal(job.status, "completed");
    assert.equal(job.priority, 7);
    assert.deepEqual(job.languages, ["eng", "pol"]);
    assert.equal((await api.req("GET", `/api/v1/documents/${okDoc}/status`)).json.status, "completed");
  });

  it("add --json --wait prints one parseable JSON document (progress stays on stderr) and --output-dir saves every result", async () => {
    const a = await png("alpha.png");
    const b = await png("beta.png");
    const out = join(files.path, "results");
    const run = await docket(["add", a, b, "--json", "--output-dir", out, "--outputs", "txt,pdf"]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      ok: boolean;
      files: {
        file: string;
        document: { id: string };
        job: { id: string; status: string; steps: { status: string }[] };
        status: { status: string; percentage: number };
        saved: string[];
      }[];
    };
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.files.map((f) => f.file),
      [a, b],
    );
    for (const f of result.files) {
      assert.equal(f.status.status, "completed");
      assert.equal(f.status.percentage, 100);
      assert.equal(f.job.status, "completed");
      assert.deepEqual(
        f.job.steps.map((s) => s.status),
        ["success", "success", "success"],
      );
      const stem = f.file.endsWith("alpha.png") ? "alpha" : "beta";
      assert.deepEqual(f.saved, [join(out, `${stem}.txt`), join(out, `${stem}.ocr.pdf`)]);
      assert.equal(await readFile(join(out, `${stem}.txt`), "utf8"), `Hello from document ${f.document.id}`);
      assert.match(await readFile(join(out, `${stem}.ocr.pdf`), "latin1"), /^%PDF-/);
    }
    assert.match(run.stderr, /alpha\.png: processing/);
  });

  it("without --wait, add queues and returns; ls, status, result, cancel, retry and rm work on the ids it printed", async () => {
    const slow = await png("hang-report.png");
    const added = await docket(["add", slow, "--json"]);
    assert.equal(added.code, 0, added.stderr);
    const {
      files: [entry],
    } = JSON.parse(added.stdout) as { files: { document: { id: string }; job: { id: string } }[] };
    const documentId = entry!.document.id;
    const jobId = entry!.job.id;

    const listed = await docket(["ls", "--json"]);
    assert.ok((JSON.parse(listed.stdout) as { items: { id: string }[] }).items.some((d) => d.id === documentId));
    const table = await docket(["ls", "--search", "hang-report"]);
    assert.match(table.stdout, new RegExp(`^${documentId}\\s+(queued|processing)\\s+.*hang-report\\.png$`, "m"));

    const cancel = await docket(["cancel", jobId]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, new RegExp(`(cancelled job|cancel requested for job) ${jobId}`));
    const follow = await docket(["status", documentId, "--follow"]);
    assert.equal(follow.code, 1, "a cancelled job exits 1");
    assert.match(follow.stdout, /^status\s+cancelled/m);
    assert.match(follow.stdout, /^actions\s+retry$/m);

    const again = await docket(["cancel", jobId]);
    assert.equal(again.code, 2, "cancelling a finished job is refused");
    assert.match(again.stderr, /\(409 not_cancellable\)/);

    const retry = await docket(["retry", documentId, "--wait"]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(
      retry.stdout,
      new RegExp(`hang-report\\.png: completed in .* \\(document ${documentId}, job ${jobId}\\)`),
    );
    const status = await docket(["status", jobId, "--json"]);
    assert.equal(status.code, 0);
    const shown = JSON.parse(status.stdout) as {
      document: { id: string };
      status: { status: string; step: number; total_steps: number };
      job: { attempts: number };
    };
    assert.equal(shown.document.id, documentId, "a job id stands for its document");
    assert.deepEqual([shown.status.status, shown.status.step, shown.status.total_steps], ["completed", 3, 3]);

    const text = await docket(["result", documentId]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, `Hello from document ${documentId}`);
    const pdfPath = join(files.path, "out.pdf");
    const pdf = await docket(["result", jobId, "--format", "pdf", "-o", pdfPath]);
    assert.equal(pdf.code, 0, pdf.stderr);
    assert.match(await readFile(pdfPath, "latin1"), /^%PDF-/);

    const rmJob = await docket(["rm", jobId]);
    assert.equal(rmJob.code, 0, rmJob.stderr);
    assert.equal(rmJob.stdout.trim(), `removed job ${jobId}`);
    const rmDoc = await docket(["rm", documentId]);
    assert.equal(rmDoc.code, 0, rmDoc.stderr);
    const gone = await docket(["status", documentId]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /no document or job .* \(404 not_found\)/);
  });

  it("status --follow resumes the event stream after the connection drops and still sees the end", async () => {
    const name = "gate-resume.png";
    const added = JSON.parse((await docket(["add", await png(name), "--json"])).stdout) as {
      files: { document: { id: string } }[];
    };
    const documentId = added.files[0]!.document.id;
    const steps: string[] = [];
    const run = await docket(["status", documentId, "--follow"], {
      onSpawn: (_child, output) => {
        const progress = () => (output.stderr().match(/item \d+ of many/g) ?? []).length;
        void (async () => {
          // Two progress lines: the second came from the stream (the first may be the initial read).
          await until("progress from the stream", () => progress() >= 2, 40_000);
          // Every open connection, the event stream's included, is cut.
          server.docket.app.server.closeAllConnections();
          steps.push("dropped");
          await until("the client to notice", () => /event stream interrupted/.test(output.stderr()), 20_000);
          const seen = progress();
          await until("progress after resuming", () => progress() > seen, 20_000);
          steps.push("resumed");
        })()
          .catch((error: unknown) => steps.push(`failed: ${String(error)}`))
          .finally(() => openGate(name));
      },
    });
    assert.deepEqual(steps, ["dropped", "resumed"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /event stream interrupted \(.*\); resuming after event \d+/);
    assert.match(run.stderr, /gate-resume\.png: processing — export/);
    assert.match(run.stdout, /^status\s+completed/m);
  });

  it("a refused file (unsupported type) is reported and exits 1 while the other files go through", async () => {
    const text = await files.write("notes.txt", new TextEncoder().encode("just text, not a document"));
    const ok = await png("fine.png");
    const run = await docket(["add", text, ok]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /notes\.txt: refused — .*\(415 unsupported_type\)/);
    assert.match(run.stdout, /fine\.png: (queued|processing) — document \S+, job \S+/);
  });

  it("a file already being processed with other options is refused naming its job; the others go through", async () => {
    const busy = await png("hang-busy.png");
    const first = JSON.parse((await docket(["add", busy, "--json"])).stdout) as { files: { job: { id: string } }[] };
    const active = first.files[0]!.job.id;
    const other = await png("fine-too.png");
    const run = await docket(["add", busy, other, "--outputs", "txt"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, new RegExp(`hang-busy\\.png: refused — .*job ${active}.*\\(409 job_active\\)`));
    assert.match(run.stdout, /fine-too\.png: (queued|processing) — document \S+, job \S+/);
    const cancel = await docket(["cancel", active]);
    assert.equal(cancel.code, 0, cancel.stderr);
  });

  it("users and tokens: create, list, revoke, disable; a non-admin is refused with 403; a revoked token gets exit 2", async () => {
    const add = await docket(["users", "add", "carol@example.test", "--role", "user", "--password-stdin"], {
      input: "carol-password\n",
    });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^created user carol@example\.test \(\S+\)$/m);
    const users = JSON.parse((await docket(["users", "list", "--json"])).stdout) as {
      items: { email: string; role: string }[];
    };
    assert.deepEqual(
      users.items.map((u) => [u.email, u.role]),
      [
        ["admin@example.test", "admin"],
        ["carol@example.test", "user"],
      ],
    );

    // A person without a token yet: log in once to create one (the login session is ended right after).
    const created = await runCli(
      ["tokens", "create", "carol-laptop", "--login", "carol@example.test", "--password-stdin"],
      { env: { DOCKET_URL: server.base }, input: "carol-password\n" },
    );
    assert.equal(created.code, 0, created.stderr);
    const carolToken = created.stdout.trim();
    assert.match(carolToken, /^dkt_\S+$/);
    assert.match(created.stderr, /shown only this once/);
    const asCarol = (args: string[]) => runCli(args, { env: { DOCKET_URL: server.base, DOCKET_TOKEN: carolToken } });
    const list = JSON.parse((await asCarol(["tokens", "list", "--json"])).stdout) as {
      items: { id: string; name: string }[];
    };
    assert.deepEqual(
      list.items.map((t) => t.name),
      ["carol-laptop"],
    );
    assert.ok(!JSON.stringify(list).includes(carolToken), "no secrets in the list");
    assert.equal((await asCarol(["ls"])).code, 0);

    const forbidden = await asCarol(["users", "list"]);
    assert.equal(forbidden.code, 2);
    assert.match(forbidden.stderr, /^docket: permission denied \(403 forbidden\): this needs an admin account$/m);

    const second = await asCarol(["tokens", "create", "carol-ci", "--json"]);
    const ci = JSON.parse(second.stdout) as { id: string; token: string };
    assert.equal((await asCarol(["tokens", "revoke", ci.id])).code, 0);
    const revoked = await runCli(["ls"], { env: { DOCKET_URL: server.base, DOCKET_TOKEN: ci.token } });
    assert.equal(revoked.code, 2);
    assert.match(revoked.stderr, /authentication failed \(401 unauthorized\)/);

    const disable = await docket(["users", "disable", "carol@example.test"]);
    assert.equal(disable.code, 0, disable.stderr);
    const disabled = await asCarol(["ls"]);
    assert.equal(disabled.code, 2, "a disabled user's token stops working");
    assert.match(disabled.stderr, /authentication failed \(401 unauthorized\)/);
  });

  it("a wrong token exits 2 with a clear message, before anything is uploaded", async () => {
    const file = await png("wrong-token.png");
    for (const args of [["ls"], ["add", file, "--wait"], ["status", "whatever", "--follow"]]) {
      const run = await runCli(args, { env: { DOCKET_URL: server.base, DOCKET_TOKEN: "dkt_not-a-real-token" } });
      assert.equal(run.code, 2, args.join(" "));
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        /^docket: authentication failed \(401 unauthorized\): invalid or expired credentials — check --token \/ DOCKET_TOKEN/m,
      );
    }
    const none = await runCli(["ls"], { env: { DOCKET_URL: server.base } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /authentication failed \(401 unauthorized\): authentication required/);
  });

  it("an unreachable server exits 2 naming the URL and the system error", async () => {
    // A port that was just listening and is closed now: nothing answers there.
    const gone = await startCliServer("sqlite");
    const url = gone.base;
    await gone.close();
    const file = await png("unreachable.png");
    for (const args of [["ls"], ["add", file, "--wait"], ["status", "x", "--follow"], ["tokens", "list"]]) {
      const run = await runCli(["--url", url, "--token", "dkt_x", ...args]);
      assert.equal(run.code, 2, args.join(" "));
      assert.equal(
        run.stderr.trim(),
        `docket: cannot reach ${url} (ECONNREFUSED): is the server running? check --url / DOCKET_URL`,
      );
    }
  });

  it("usage errors exit 2 with a message, and every command has --help", async () => {
    const cases: [string[], RegExp][] = [
      [["add"], /missing required argument 'files'/],
      [["add", "/no/such/file.png"], /not a readable file: \/no\/such\/file\.png/],
      [["add", "x.png", "--priority", "11"], /option '--priority <n>' argument '11' is invalid\. must be from 0 to 10/],
      [
        ["add", "x.png", "--mode", "poetry"],
        /argument 'poetry' is invalid\. Allowed choices are document, handwritten, general, figure/,
      ],
      [["result", "x", "--format", "docx"], /Allowed choices are txt, md, json, hocr, pdf/],
      [["nonsense"], /unknown command 'nonsense'/],
      [["ls", "--frobnicate"], /unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const run = await docket(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    for (const command of [[], ["add"], ["users", "add"]]) {
      const help = await runCli([...command, "--help"]);
      assert.equal(help.code, 0, command.join(" "));
      assert.match(help.stdout, /^Usage: docket/m);
    }
  });
});
