/**
 * Python's `re.sub` replacement templates (`repl`), as invoice2data templates write them in
 * `replace` options: group references and character escapes, expanded per match.
 */
import { PythonRegexError } from "./python-regex.js";

/** One piece of a Python replacement template (`re.sub`'s `repl`). */
export type ReplacementPart = { text: string } | { group: number | string };

/**
 * Parse a Python replacement template: `\1`, `\g<1>`, `\g<name>` refer to groups; `\n`, `\t`
 * and friends are characters; `\\` a backslash; other escaped punctuation is kept as written.
 */
export function parsePythonReplacement(repl: string): ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let text = "";
  const flush = () => {
    if (text) parts.push({ text });
    text = "";
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== "\\") {
      text += c;
      continue;
    }
    const n = repl[i + 1];
    if (n === undefined)
      throw new PythonRegexError(`a replacement cannot end with a backslash: ${JSON.stringify(repl)}`, repl);
    i++;
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      f: "\f",
      v: "\v",
      a: "\x07",
      b: "\b",
      "\\": "\\",
    };
    if (simple[n] !== undefined) text += simple[n];
    else if (n === "g") {
      const m = /^<([^>]+)>/.exec(repl.slice(i + 1));
      if (!m) throw new PythonRegexError(`missing group name after \\g in ${JSON.stringify(repl)}`, repl);
      flush();
      parts.push({ group: /^\d+$/.test(m[1]!) ? Number(m[1]) : m[1]! });
      i += m[0].length;
    } else if (/[0-9]/.test(n)) {
      const m = /^[0-9]{1,2}/.exec(repl.slice(i))!;
      flush();
      parts.push({ group: Number(m[0]) });
      i += m[0].length - 1;
    } else if (/[A-Za-z]/.test(n)) {
      throw new PythonRegexError(`bad escape \\${n} in replacement ${JSON.stringify(repl)}`, repl);
    } else text += `\\${n}`;
  }
  flush();
  return parts;
}

/** The replacement text for one match. A group that did not take part gives "" (as in Python 3.5+). */
export function expandReplacement(parts: readonly ReplacementPart[], match: RegExpExecArray): string {
  let out = "";
  for (const part of parts) {
    if ("text" in part) out += part.text;
    else out += (typeof part.group === "number" ? match[part.group] : match.groups?.[part.group]) ?? "";
  }
  return out;
}
