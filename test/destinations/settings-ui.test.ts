/**
 * Settings → Destinations and Event webhooks in real headless Chromium against a real
 * server: add destinations through the forms (secrets masked from then on, a path outside
 * the roots refused), test one against a real receiver, subscribe a webhook, see its
 * delivery log and redeliver, see why a failing subscription was disabled, and Polish.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createUsers, pngBytes, waitFor, waitForJob, type TestServer, type Users } from "../api/support.js";
import { chromiumSkipReason } from "../support/environment.js";
import { ensureWebBuilt, launchChromium } from "../web/support.js";
import { startDeliveryServer, startReceiver } from "./support.js";

const SECRET = "ui-secret-98765";

describe("Settings: destinations and webhooks in Chromium", { skip: chromiumSkipReason() }, () => {
  let server: TestServer;
  let u: Users;
  let root: string;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const errors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    root = await mkdtemp(join(tmpdir(), "docket-ui-dest-"));
    receiver = await startReceiver(SECRET);
    server = await startDeliveryServer(
      "sqlite",
      { DOCKET_FOLDER_ROOTS: root },
      { webhooks: { backoffMs: [100, 200], pollMs: 100, retryWindowMs: 1_500 } },
    );
    u = await createUsers(server.base);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    page = await context.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.base}/settings`);
    await page.fill("input[name=email]", "alice@example.test");
    await page.fill("input[name=password]", "alice-password");
    await page.click("button[type=submit]");
    await page.locator("[data-testid=destinations]").waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
    await rm(root, { recursive: true, force: true });
  });

  const dest = (testid: string) => page.locator(`[data-testid=destination-form] [data-testid=${testid}]`);

  it("adds destinations through the form; secrets are masked; a folder outside the roots is refused", async () => {
    await dest("dest-name").fill("Outside");
    await dest("dest-kind").selectOption("folder");
    await dest("dest-path").fill("/etc");
    await dest("dest-add").click();
    assert.match(await page.locator("[data-testid=dest-error]").innerText(), /allowed folder roots/);

    await dest("dest-name").fill("Archive");
    await dest("dest-path").fill(join(root, "archive"));
    await page.locator("[data-testid=destination-form] .check input").check();
    await dest("dest-add").click();
    await page.locator("[data-testid=destination-row]", { hasText: "Archive" }).waitFor();

    await dest("dest-name").fill("ERP");
    await dest("dest-kind").selectOption("webhook");
    await dest("dest-url").fill(receiver.url);
    await dest("dest-secret").fill(SECRET);
    await dest("dest-add").click();
    const erp = page.locator("[data-testid=destination-row]", { hasText: "ERP" });
    await erp.waitFor();
    assert.match(await erp.locator("[data-testid=destination-config]").innerText(), /secret: \*{8}/);
    assert.ok(!(await page.content()).includes(SECRET), "the secret is nowhere on the page");
    assert.match(await page.locator("[data-testid=destination-row]", { hasText: "Archive" }).innerText(), /default/);

    await erp.locator("[data-testid=test]").click();
    await erp.locator("[data-testid=test-result]").waitFor();
    assert.match(await erp.locator("[data-testid=test-result]").innerText(), /^Works: .*HTTP 200/);
    assert.ok(receiver.received.at(-1)!.signatureValid, "the test request is signed with the secret typed in");

    // The default destination delivers a job submitted without destinations.
    const up = await u.alice.upload(pngBytes(), "from-ui.png", { process: "true" });
    const done = await waitForJob(u.alice, up.json.job.id, ["completed", "failed"]);
    assert.equal(done.status, "completed", JSON.stringify(done.error));
    assert.equal(done.steps.at(-1).name, "deliver:Archive");
  });

  it("subscribes a webhook, shows the delivery log with the answer's code, and redelivers", async () => {
    const form = page.locator("[data-testid=webhook-form]");
    await form.locator("[data-testid=hook-url]").fill(`${receiver.url}/events`);
    await form.locator("[data-testid=hook-secret]").fill(SECRET);
    await form.locator("[data-testid=hook-add]").click();
    const row = page.locator("[data-testid=webhook-row]", { hasText: "/events" });
    await row.waitFor();
    assert.equal(await row.locator("[data-testid=webhook-state]").innerText(), "active");

    const up = await u.alice.upload(pngBytes(), "event-ui.png", { process: "true", destinations: "[]" });
    await waitForJob(u.alice, up.json.job.id, ["completed"]);
    const events = () => receiver.received.filter((r) => r.path.endsWith("/events"));
    await waitFor("the event", async () => events().length >= 1);

    await row.locator("[data-testid=webhook-log]").click();
    const delivery = row.locator("[data-testid=delivery-row]").first();
    await delivery.waitFor();
    assert.match(await delivery.innerText(), /Job completed\s+delivered\s+HTTP 200/);
    await delivery.locator("[data-testid=redeliver]").click();
    await waitFor("the redelivery", async () => events().length >= 2);
    assert.equal(events()[1]!.headers["docket-delivery"], events()[0]!.headers["docket-delivery"]);
  });

  it("shows why a failing subscription was disabled, and speaks Polish", async () => {
    receiver.answerWith((r) => (r.path.endsWith("/broken") ? 500 : 200));
    const form = page.locator("[data-testid=webhook-form]");
    await form.locator("[data-testid=hook-url]").fill(`${receiver.url}/broken`);
    await form.locator("[data-testid=hook-secret]").fill(SECRET);
    await form.locator("[data-testid=hook-add]").click();
    await page.locator("[data-testid=webhook-row]", { hasText: "/broken" }).waitFor();
    const up = await u.alice.upload(pngBytes(), "broken.png", { process: "true", destinations: "[]" });
    await waitForJob(u.alice, up.json.job.id, ["completed"]);
    const id = (await u.alice.req("GET", "/api/v1/webhooks")).json.items.find((w: { url: string }) =>
      w.url.endsWith("/broken"),
    ).id;
    await waitFor(
      "the subscription to be disabled",
      async () => (await u.alice.req("GET", `/api/v1/webhooks/${id}`)).json.active === false,
      15_000,
    );
    await page.reload();
    const reason = page
      .locator("[data-testid=webhook-row]", { hasText: "/broken" })
      .locator("[data-testid=webhook-reason]");
    await reason.waitFor();
    assert.match(await reason.innerText(), /^Disabled: deliveries failed .*HTTP 500/);

    await page.locator("label", { hasText: "Polski" }).click();
    await page.locator("#dest-title", { hasText: "Miejsca docelowe" }).waitFor();
    assert.equal(await page.locator("#hooks-title").innerText(), "Webhooki zdarzeń");
    await page.locator("label", { hasText: "English" }).click();
    assert.deepEqual(errors, [], "no errors in the page");
  });
});
