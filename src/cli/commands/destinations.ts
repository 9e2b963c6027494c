/** `docket destinations add|list|test|set|rm|deliveries` and `docket webhooks add|list|enable|disable|rm|deliveries|redeliver`. */
import { Option, type Command } from "commander";
import { DESTINATION_KINDS, type DestinationKind } from "../../destinations/destination-types.js";
import { WEBHOOK_EVENTS, type WebhookEvent } from "../../webhooks/webhook-events.js";
import type { DocketClient } from "../client/client.js";
import { CliContext, type Streams } from "../context.js";
import { CliError } from "../errors.js";
import { readPassword } from "../options.js";
import { table } from "../output/format.js";
import type { DeliveryClient, DestinationJson } from "./destinations-client.js";

interface AddOptions {
  kind: DestinationKind;
  to?: string;
  path?: string;
  bucket?: string;
  prefix?: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  username?: string;
  secretStdin?: boolean;
  default?: boolean;
  json?: boolean;
}

/** The secret field of each kind, read from stdin (never from the command line, which `ps` and history show). */
const SECRET_FIELD: Partial<Record<DestinationKind, string>> = {
  webhook: "secret",
  s3: "secret_access_key",
  webdav: "password",
};

function configOf(o: AddOptions, secret: string | undefined): Record<string, unknown> {
  const pick = (entries: [string, unknown][]) => Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  const secretField = SECRET_FIELD[o.kind];
  const withSecret = secretField && secret !== undefined ? { [secretField]: secret } : {};
  switch (o.kind) {
    case "webhook":
      return { ...pick([["url", o.to]]), ...withSecret };
    case "folder":
      return pick([["path", o.path]]);
    case "s3":
      return {
        ...pick([
          ["bucket", o.bucket],
          ["prefix", o.prefix],
          ["endpoint", o.endpoint],
          ["region", o.region],
          ["access_key_id", o.accessKeyId],
        ]),
        ...withSecret,
      };
    case "webdav":
      return {
        ...pick([
          ["url", o.to],
          ["username", o.username],
        ]),
        ...withSecret,
      };
  }
}

async function findDestination(delivery: DeliveryClient, key: string): Promise<DestinationJson> {
  const found = (await delivery.listDestinations()).find((d) => d.id === key || d.name === key);
  if (!found) throw new CliError(`no destination ${key} (see \`docket destinations list\`)`, 2, "not_found");
  return found;
}

const describe = (d: DestinationJson) =>
  Object.entries(d.config)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");

export function destinationCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);
  const withDelivery = (command: Command, work: (d: DeliveryClient, ctx: CliContext) => Promise<void>) => {
    const ctx = context(command);
    return ctx.withClient((client: DocketClient) => work(client.delivery, ctx));
  };

  const destinations = program
    .command("destinations")
    .description("where processed documents are delivered: webhook, folder, s3, webdav");

  destinations
    .command("add")
    .description("add a destination; its secret (webhook secret, S3 secret key, WebDAV password) is read from stdin")
    .argument("<name>", "its name: jobs show a step deliver:<name>")
    .addOption(
      new Option("--kind <kind>", "the kind of destination").choices([...DESTINATION_KINDS]).makeOptionMandatory(),
    )
    .option("--to <url>", "webhook or WebDAV URL (--url is the Docket server's)")
    .option("--path <path>", "folder: an absolute path inside DOCKET_FOLDER_ROOTS")
    .option("--bucket <bucket>", "s3: the bucket")
    .option("--prefix <prefix>", "s3: a key prefix")
    .option("--endpoint <url>", "s3: an S3-compatible endpoint (MinIO, Ceph…)")
    .option("--region <region>", "s3: the region (default us-east-1)")
    .option("--access-key-id <id>", "s3: the access key id")
    .option("--username <name>", "webdav: the user name")
    .option("--secret-stdin", "read the secret from the first line of stdin")
    .option("--default", "deliver every job here unless a submit names its destinations")
    .option("--json", "print the destination as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  docket destinations add archive --kind folder --path /srv/scans --default\n" +
        "  printf '%s\\n' \"$NC_PASSWORD\" | docket destinations add nextcloud --kind webdav \\\n" +
        "      --to https://cloud.example.com/remote.php/dav/files/me/Scans/ --username me --secret-stdin",
    )
    .action(async (name: string, options: AddOptions, command: Command) => {
      const secret = options.secretStdin ? await readPassword({ fromStdin: true, prompt: "secret: " }) : undefined;
      await withDelivery(command, async (delivery, ctx) => {
        const created = await delivery.createDestination({
          name,
          kind: options.kind,
          config: configOf(options, secret),
          is_default: options.default === true,
        });
        if (options.json) ctx.printJson(created);
        else ctx.print(`added ${created.kind} destination ${created.name} (${created.id})`);
      });
    });

  destinations
    .command("list")
    .description("list your destinations (secrets masked)")
    .option("--json", "print them as JSON")
    .action(async (options: { json?: boolean }, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const items = await delivery.listDestinations();
        if (options.json) return ctx.printJson({ items, total: items.length });
        const rows = [["ID", "NAME", "KIND", "DEFAULT", "CONFIG"]];
        for (const d of items) rows.push([d.id, d.name, d.kind, d.is_default ? "yes" : "", describe(d)]);
        for (const line of table(rows)) ctx.print(line);
      }),
    );

  destinations
    .command("test")
    .description("check a destination's connection and credentials (exit 1 when it fails)")
    .argument("<destination>", "its id or name")
    .option("--json", "print the result as JSON")
    .action(async (key: string, options: { json?: boolean }, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const destination = await findDestination(delivery, key);
        const result = await delivery.testDestination(destination.id);
        if (options.json) ctx.printJson(result);
        else ctx.print(`${result.ok ? "ok" : "FAILED"}: ${result.detail}`);
        if (!result.ok) throw new CliError(`destination ${destination.name} failed its test`, 1, "test_failed");
      }),
    );

  destinations
    .command("set")
    .description("make a destination a default one, or not")
    .argument("<destination>", "its id or name")
    .addOption(
      new Option("--default <yes|no>", "deliver every job here by default")
        .choices(["yes", "no"])
        .makeOptionMandatory(),
    )
    .action(async (key: string, options: { default: "yes" | "no" }, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const destination = await findDestination(delivery, key);
        const updated = await delivery.updateDestination(destination.id, { is_default: options.default === "yes" });
        ctx.print(`${updated.name} is ${updated.is_default ? "now" : "no longer"} a default destination`);
      }),
    );

  destinations
    .command("rm")
    .description("delete a destination")
    .argument("<destination>", "its id or name")
    .action(async (key: string, _options: unknown, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const destination = await findDestination(delivery, key);
        await delivery.removeDestination(destination.id);
        ctx.print(`deleted destination ${destination.name}`);
      }),
    );

  destinations
    .command("deliveries")
    .description("where a job's outputs went: one line per deliver step")
    .argument("<job-id>", "the job")
    .option("--json", "print them as JSON")
    .action(async (jobId: string, options: { json?: boolean }, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const items = await delivery.jobDeliveries(jobId);
        if (options.json) return ctx.printJson({ items });
        const rows = [["STEP", "STATUS", "ATTEMPTS", "DELIVERED", "LOCATION / ERROR"]];
        for (const d of items)
          rows.push([
            d.step,
            d.status,
            String(d.attempts),
            d.delivered_at ?? "",
            d.last_error ? `${d.last_error.code}: ${d.last_error.message}` : (d.location ?? ""),
          ]);
        for (const line of table(rows)) ctx.print(line);
      }),
    );

  webhookCommands(program, withDelivery);
}

function webhookCommands(
  program: Command,
  withDelivery: (command: Command, work: (d: DeliveryClient, ctx: CliContext) => Promise<void>) => Promise<void>,
): void {
  const webhooks = program.command("webhooks").description("event webhooks: job.completed, job.failed, …");

  webhooks
    .command("add")
    .description("subscribe a URL to events; the signing secret is read from stdin")
    .argument("<url>", "where to POST the events")
    .requiredOption("--events <list>", `comma-separated: ${WEBHOOK_EVENTS.join(", ")}`)
    .option("--secret-stdin", "read the signing secret from the first line of stdin (required)")
    .option("--json", "print the subscription as JSON")
    .action(
      async (url: string, options: { events: string; secretStdin?: boolean; json?: boolean }, command: Command) => {
        if (!options.secretStdin) throw new CliError("pipe the signing secret with --secret-stdin");
        const events = options.events.split(/[,\s]+/).filter(Boolean);
        const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
        if (unknown.length > 0)
          throw new CliError(`unknown events ${unknown.join(", ")} (known: ${WEBHOOK_EVENTS.join(", ")})`);
        const secret = await readPassword({ fromStdin: true, prompt: "secret: " });
        await withDelivery(command, async (delivery, ctx) => {
          const created = await delivery.createWebhook({ url, secret, events: events as WebhookEvent[] });
          if (options.json) ctx.printJson(created);
          else ctx.print(`subscribed ${created.url} to ${created.events.join(", ")} (${created.id})`);
        });
      },
    );

  webhooks
    .command("list")
    .description("list your subscriptions, with why any is disabled")
    .option("--json", "print them as JSON")
    .action(async (options: { json?: boolean }, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const items = await delivery.listWebhooks();
        if (options.json) return ctx.printJson({ items, total: items.length });
        const rows = [["ID", "URL", "EVENTS", "STATE"]];
        for (const w of items)
          rows.push([w.id, w.url, w.events.join(","), w.active ? "active" : `disabled: ${w.disabled_reason ?? ""}`]);
        for (const line of table(rows)) ctx.print(line);
      }),
    );

  for (const [name, active] of [
    ["enable", true],
    ["disable", false],
  ] as const)
    webhooks
      .command(name)
      .description(active ? "turn a subscription on again (after it was disabled)" : "turn a subscription off")
      .argument("<id>", "the subscription")
      .action(async (id: string, _options: unknown, command: Command) =>
        withDelivery(command, async (delivery, ctx) => {
          const w = await delivery.setWebhookActive(id, active);
          ctx.print(`${w.url} is ${w.active ? "active" : "disabled"}`);
        }),
      );

  webhooks
    .command("rm")
    .description("unsubscribe")
    .argument("<id>", "the subscription")
    .action(async (id: string, _options: unknown, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        await delivery.removeWebhook(id);
        ctx.print(`deleted webhook ${id}`);
      }),
    );

  webhooks
    .command("deliveries")
    .description("the delivery log of a subscription, newest first")
    .argument("<id>", "the subscription")
    .option("--json", "print it as JSON")
    .action(async (id: string, options: { json?: boolean }, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        const items = await delivery.webhookDeliveries(id);
        if (options.json) return ctx.printJson({ items });
        const rows = [["ID", "EVENT", "STATUS", "ATTEMPTS", "HTTP", "CREATED"]];
        for (const d of items)
          rows.push([d.id, d.event, d.status, String(d.attempts), String(d.response_status ?? ""), d.created_at]);
        for (const line of table(rows)) ctx.print(line);
      }),
    );

  webhooks
    .command("redeliver")
    .description("send a delivery again (same Docket-Delivery id)")
    .argument("<id>", "the subscription")
    .argument("<delivery-id>", "the delivery")
    .action(async (id: string, deliveryId: string, _options: unknown, command: Command) =>
      withDelivery(command, async (delivery, ctx) => {
        await delivery.redeliver(id, deliveryId);
        ctx.print(`queued ${deliveryId} for redelivery`);
      }),
    );
}
