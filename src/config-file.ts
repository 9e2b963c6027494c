import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseEnv } from "node:util";

/** Reading a config file (`DOCKET_CONFIG` or `docket --config`) for config.ts. */

function closestName(name: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return d[b.length]!;
  };
  const best = names.map((n) => [n, distance(name.toUpperCase(), n)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= 3 ? best[0] : undefined;
}

/**
 * Reads a config file: JSON (`.json`, an object of names to strings, numbers or booleans)
 * or anything else as an env file (`NAME=value` lines, `#` comments, as systemd's
 * EnvironmentFile). Returns the values it could read and one line per problem.
 */
export function readConfigFile(
  path: string,
  names: readonly string[],
): { values: Record<string, string>; problems: string[] } {
  const where = `config file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { values: {}, problems: [`${where}: cannot read it (${code})`] };
  }
  let entries: [string, unknown][];
  if (extname(path).toLowerCase() === ".json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { values: {}, problems: [`${where}: not valid JSON (${(error as Error).message})`] };
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      return { values: {}, problems: [`${where}: must be a JSON object of setting names to values`] };
    entries = Object.entries(parsed);
  } else {
    entries = Object.entries(parseEnv(text));
  }
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!names.includes(name)) {
      const hint = closestName(name, names);
      problems.push(`${where}: unknown setting ${name}${hint ? ` (did you mean ${hint}?)` : ""}`);
    } else if (value === null || value === undefined) {
      continue;
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      values[name] = String(value);
    } else if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      values[name] = value.join(",");
    } else {
      problems.push(`${where}: ${name} must be a string, number or boolean`);
    }
  }
  return { values, problems };
}
