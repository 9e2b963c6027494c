/** Option parsers and prompts shared by the commands. A parser's error is a usage error (exit 2). */
import { InvalidArgumentError } from "commander";
import { MAX_PRIORITY, MIN_PRIORITY, OUTPUT_FORMATS, type OutputFormat } from "../domain/types.js";
import { CliError } from "./errors.js";

export function parseInteger(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be from ${min} to ${max}`);
    return n;
  };
}

export const parsePriority = parseInteger(MIN_PRIORITY, MAX_PRIORITY);

export function parseLanguages(value: string): string[] {
  const codes = value.split(/[,+\s]+/).filter(Boolean);
  if (codes.length === 0 || codes.some((c) => !/^[a-z_]{3,16}$/i.test(c)))
    throw new InvalidArgumentError("languages are tesseract codes such as eng or eng,pol");
  return codes;
}

export function parseOutputs(value: string): OutputFormat[] {
  const formats = value.split(/[,\s]+/).filter(Boolean);
  const unknown = formats.filter((f) => !(OUTPUT_FORMATS as readonly string[]).includes(f));
  if (formats.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(`choose from ${OUTPUT_FORMATS.join(", ")}`);
  return formats as OutputFormat[];
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
  return text;
}

/** A password from stdin (`--password-stdin`: the first line) or typed at a hidden prompt. */
export async function readPassword(options: {
  fromStdin: boolean;
  prompt: string;
  confirm?: boolean;
}): Promise<string> {
  if (options.fromStdin) {
    const password = (await readAll(process.stdin)).split(/\r?\n/)[0] ?? "";
    if (!password) throw new CliError("--password-stdin: nothing on stdin");
    return password;
  }
  if (!process.stdin.isTTY) throw new CliError("no terminal to ask for the password: pipe it with --password-stdin");
  const first = await prompt(options.prompt);
  if (options.confirm) {
    const again = await prompt("again: ");
    if (again !== first) throw new CliError("the passwords do not match");
  }
  return first;
}

/** Reads a line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new CliError("cancelled", 130));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char >= " ") value += char;
      }
    };
    stdin.on("data", onData);
  });
}
