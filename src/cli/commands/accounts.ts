/** `docket users add|list|disable|enable` and `docket tokens create|list|revoke`. */
import { Option, type Command } from "commander";
import type { DocketClient, User } from "../client/client.js";
import { CliContext, type Streams } from "../context.js";
import { CliError } from "../errors.js";
import { readPassword } from "../options.js";
import { table } from "../output/format.js";

const LOCAL_NOTE = `
In local mode (no --url) these work on the data dir's database directly, as its operator:
\`users\` needs no admin login, and \`tokens\` act for --as <email> (default: the first admin).
In remote mode the token's user must be an admin for \`users\`.`;

async function findUser(client: DocketClient, key: string): Promise<User> {
  const users = await client.listUsers();
  const user = users.find((u) => u.id === key || u.email === key.trim().toLowerCase());
  if (!user) throw new CliError(`no user ${key} (see \`docket users list\`)`, 2, "not_found");
  return user;
}

export function accountCommands(program: Command, env: NodeJS.ProcessEnv, streams: Streams): void {
  const context = (command: Command) => CliContext.of(command, env, streams);

  const users = program.command("users").description("user accounts (admin)").addHelpText("after", LOCAL_NOTE);
  users
    .command("add")
    .description("create a user; asks for the password (or reads it with --password-stdin)")
    .argument("<email>", "the login email")
    .addOption(
      new Option("--role <role>", "user or admin (default user; admin for the very first account)").choices([
        "user",
        "admin",
      ]),
    )
    .option("--password-stdin", "read the password from the first line of stdin")
    .option("--json", "print the user as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  docket users add me@example.com --role admin\n  printf '%s\\n' \"$PASSWORD\" | docket users add ci@example.com --password-stdin",
    )
    .action(
      async (
        email: string,
        options: { role?: "user" | "admin"; passwordStdin?: boolean; json?: boolean },
        command: Command,
      ) => {
        const ctx = context(command);
        const password = await readPassword({
          fromStdin: options.passwordStdin === true,
          prompt: `password for ${email}: `,
          confirm: true,
        });
        if (password.length < 8) throw new CliError("the password must be at least 8 characters");
        await ctx.withClient(async (client) => {
          const user = await client.createUser(email, password, options.role);
          if (options.json) ctx.printJson(user);
          else ctx.print(`created ${user.role} ${user.email} (${user.id})`);
        });
      },
    );

  users
    .command("list")
    .description("list users")
    .option("--json", "print the users as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const list = await client.listUsers();
        if (options.json) return ctx.printJson({ items: list, total: list.length });
        const rows = [["ID", "EMAIL", "ROLE", "STATE", "CREATED"]];
        for (const u of list)
          rows.push([u.id, u.email, u.role, u.disabled ? "disabled" : "active", u.created_at.slice(0, 10)]);
        for (const line of table(rows)) ctx.print(line);
      });
    });

  for (const [name, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    users
      .command(name)
      .description(
        disabled ? "disable a user: their sessions end and their tokens stop working" : "enable a disabled user again",
      )
      .argument("<user>", "email or id")
      .option("--json", "print the user as JSON")
      .action(async (key: string, options: { json?: boolean }, command: Command) => {
        const ctx = context(command);
        await ctx.withClient(async (client) => {
          const user = await client.updateUser((await findUser(client, key)).id, { disabled });
          if (options.json) ctx.printJson(user);
          else ctx.print(`${disabled ? "disabled" : "enabled"} ${user.email} (${user.id})`);
        });
      });
  }

  const tokens = program
    .command("tokens")
    .description("API tokens for scripts and remote mode")
    .addHelpText("after", LOCAL_NOTE);
  tokens
    .command("create")
    .description("create an API token; prints it once, on stdout")
    .argument("<name>", "what the token is for, e.g. laptop or ci")
    .option("--login <email>", "remote mode without a token yet: log in as this user first (asks for the password)")
    .option("--password-stdin", "with --login: read the password from stdin")
    .option("--json", "print {id, name, token, …} as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  export DOCKET_TOKEN=$(docket tokens create laptop)                  # local mode, on the server's data dir\n  docket --url https://docket.example.com tokens create ci --login me@example.com",
    )
    .action(
      async (name: string, options: { login?: string; passwordStdin?: boolean; json?: boolean }, command: Command) => {
        const ctx = context(command);
        await ctx.withClient(async (client) => {
          let created;
          if (options.login) {
            if (client.mode !== "remote")
              throw new CliError(
                "--login is for remote mode (--url / DOCKET_URL); in local mode, act as a user with --as <email>",
              );
            const password = await readPassword({
              fromStdin: options.passwordStdin === true,
              prompt: `password for ${options.login}: `,
            });
            const { token } = await client.login(options.login, password);
            // The login session only serves to create the token: end it right after.
            const { RemoteClient } = await import("../client/remote.js");
            const session = new RemoteClient({ url: client.description, token });
            try {
              created = await session.createToken(name);
            } finally {
              await session.logout().catch(() => undefined);
            }
          } else {
            created = await client.createToken(name);
          }
          if (options.json) return ctx.printJson(created);
          ctx.print(created.token);
          ctx.info(
            `created token ${created.id} "${created.name}" — it is shown only this once; use it as DOCKET_TOKEN or --token`,
          );
        });
      },
    );

  tokens
    .command("list")
    .description("list your API tokens (never their secrets)")
    .option("--json", "print the tokens as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        const list = await client.listTokens();
        if (options.json) return ctx.printJson({ items: list, total: list.length });
        const rows = [["ID", "NAME", "PREFIX", "CREATED", "LAST USED"]];
        for (const t of list)
          rows.push([
            t.id,
            t.name,
            `${t.prefix}…`,
            t.created_at.slice(0, 19).replace("T", " "),
            t.last_used_at?.slice(0, 19).replace("T", " ") ?? "never",
          ]);
        for (const line of table(rows)) ctx.print(line);
      });
    });

  tokens
    .command("revoke")
    .description("revoke one of your API tokens")
    .argument("<id>", "the token's id (see `docket tokens list`)")
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = context(command);
      await ctx.withClient(async (client) => {
        await client.revokeToken(id);
        ctx.print(`revoked token ${id}`);
      });
    });
}
