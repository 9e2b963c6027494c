/**
 * Python `re` patterns (as invoice2data templates write them) as JavaScript RegExps that
 * match the same text. Both dialects share most syntax; the differences that matter:
 *
 * - `(?P<name>…)` → `(?<name>…)`, `(?P=name)` → `\k<name>`, `(?#…)` comments dropped;
 * - inline global flags `(?i)`, `(?m)`, `(?s)`, `(?x)`, `(?a)`, `(?u)` become RegExp flags
 *   (verbose `x` is applied here: whitespace and `#` comments outside classes are removed);
 * - `\A` → start of input, `\Z` (and `\z`) → end of input, whatever the flags;
 * - `$` without MULTILINE matches at the end or before a final "\n", as in Python;
 * - `.` without DOTALL excludes only "\n" (JavaScript also excludes "\r" and U+2028/9);
 * - `\w`, `\W`, `\b`, `\B` are Unicode-aware as in Python 3 (letters, digits, underscore);
 * - Python's lenient literals (a lone `{` or `}` or `]`, `\:` and other escaped punctuation,
 *   `]` first in a class) and `{,n}` quantifiers are rewritten for JavaScript's strict `u` mode;
 * - `\U0001F600`, octal escapes and `\a` become `\u{…}`.
 *
 * Not supported, with a clear error: possessive quantifiers (`a*+`), atomic groups `(?>…)`,
 * conditionals `(?(1)…)`, scoped flags `(?i:…)`, `\N{name}`, and the `L` flag.
 */

export class PythonRegexError extends Error {
  constructor(
    message: string,
    readonly pattern: string,
  ) {
    super(message);
    this.name = "PythonRegexError";
  }
}

export interface TranslatedPattern {
  /** The JavaScript pattern source (for the `u` flag). */
  source: string;
  /** JavaScript flags besides `u`: any of "i", "m", "s". */
  flags: string;
  /** How many capturing groups (numbered and named) the pattern has. */
  groups: number;
}

const WORD = "\\p{L}\\p{N}_";
const WORD_CLASS = `[${WORD}]`;
const SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);
const FLAG_LETTERS = /^[aiLmsux]+$/;

/** Translate a Python pattern; throws PythonRegexError on what JavaScript cannot express. */
export function translatePythonRegex(pattern: string): TranslatedPattern {
  return new Translator(pattern).run();
}

/** Compile a Python pattern as a RegExp (flags `u` plus the pattern's own, plus `extraFlags`). */
export function compilePythonRegex(pattern: string, extraFlags = ""): RegExp {
  const t = translatePythonRegex(pattern);
  const flags = [...new Set(`u${t.flags}${extraFlags}`)].join("");
  try {
    return new RegExp(t.source, flags);
  } catch (error) {
    throw new PythonRegexError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message.replace(/^Invalid regular expression: /, "")}`,
      pattern,
    );
  }
}

class Translator {
  private i = 0;
  private out = "";
  private groups = 0;
  private readonly flags = new Set<string>();
  private verbose = false;

  constructor(private readonly p: string) {}

  run(): TranslatedPattern {
    this.leadingFlags();
    while (this.i < this.p.length) this.atom();
    if (this.flags.has("L")) this.fail("the L (locale) flag is only for bytes patterns");
    const flags = ["i", "m", "s"].filter((f) => this.flags.has(f)).join("");
    return { source: this.out, flags, groups: this.groups };
  }

  private fail(message: string): never {
    throw new PythonRegexError(`${message} in ${JSON.stringify(this.p)}`, this.p);
  }

  /** `(?x)` changes how everything after it is read, so leading flag groups are taken first. */
  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([aiLmsux]+)\)/.exec(this.p.slice(this.i));
      if (!m) return;
      for (const f of m[1]!) this.flags.add(f);
      if (this.flags.has("x")) this.verbose = true;
      this.i += m[0].length;
    }
  }

  private get ascii(): boolean {
    return this.flags.has("a");
  }

  private atom(): void {
    const c = this.p[this.i]!;
    if (this.verbose && /\s/.test(c)) {
      this.i++;
      return;
    }
    if (this.verbose && c === "#") {
      const nl = this.p.indexOf("\n", this.i);
      this.i = nl === -1 ? this.p.length : nl + 1;
      return;
    }
    switch (c) {
      case "\\":
        this.out += this.escape(false);
        return;
      case "[":
        this.charClass();
        return;
      case "(":
        this.group();
        return;
      case "{":
        this.brace();
        return;
      case "}":
      case "]":
        this.out += `\\${c}`;
        this.i++;
        return;
      case "$":
        // Python's `$` (no MULTILINE) also matches before a newline that ends the string.
        this.out += this.flags.has("m") ? "$" : "(?=\\n?(?![\\s\\S]))";
        this.i++;
        return;
      case ".":
        this.out += this.flags.has("s") ? "[\\s\\S]" : "[^\\n]";
        this.i++;
        return;
      case "*":
      case "+":
      case "?":
        this.out += c;
        this.i++;
        this.afterQuantifier();
        return;
      default: {
        const cp = this.p.codePointAt(this.i)!;
        const ch = String.fromCodePoint(cp);
        this.out += ch;
        this.i += ch.length;
      }
    }
  }

  /** After a quantifier: a lazy `?` is shared; a `+` makes it possessive, which JavaScript lacks. */
  private afterQuantifier(): void {
    if (this.p[this.i] === "?") {
      this.out += "?";
      this.i++;
    } else if (this.p[this.i] === "+") {
      this.fail("possessive quantifiers (*+, ++, ?+, {n}+) are not supported");
    }
  }

  /** `{` starts a quantifier only when it reads as one; otherwise Python takes it literally. */
  private brace(): void {
    const m = /^\{(\d*)(,(\d*))?\}/.exec(this.p.slice(this.i));
    if (m && (m[1] !== "" || m[2] !== undefined)) {
      const min = m[1] === "" ? "0" : m[1]!;
      this.out += m[2] === undefined ? `{${min}}` : `{${min},${m[3] ?? ""}}`;
      this.i += m[0].length;
      this.afterQuantifier();
      return;
    }
    this.out += "\\{";
    this.i++;
  }

  private group(): void {
    const rest = this.p.slice(this.i);
    let m: RegExpExecArray | null;
    if ((m = /^\(\?P<([^>]+)>/.exec(rest)) || (m = /^\(\?<([^>=!][^>]*)>/.exec(rest))) {
      if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(m[1]!)) this.fail(`bad group name ${JSON.stringify(m[1])}`);
      this.groups++;
      this.out += `(?<${m[1]}>`;
      this.i += m[0].length;
    } else if ((m = /^\(\?P=([^)]+)\)/.exec(rest))) {
      this.out += `\\k<${m[1]}>`;
      this.i += m[0].length;
    } else if (rest.startsWith("(?#")) {
      const end = this.p.indexOf(")", this.i);
      if (end === -1) this.fail("unterminated comment");
      this.i = end + 1;
    } else if ((m = /^\(\?(:|=|!|<=|<!)/.exec(rest))) {
      this.out += m[0];
      this.i += m[0].length;
    } else if (rest.startsWith("(?>")) {
      this.fail("atomic groups (?>...) are not supported");
    } else if (rest.startsWith("(?(")) {
      this.fail("conditional groups (?(id)yes|no) are not supported");
    } else if (rest.startsWith("(?P>") || rest.startsWith("(?R") || /^\(\?\d/.test(rest)) {
      this.fail("recursive patterns are not supported");
    } else if ((m = /^\(\?([a-zA-Z-]+)([:)])/.exec(rest))) {
      const letters = m[1]!;
      if (m[2] === ":" || letters.includes("-") || !FLAG_LETTERS.test(letters)) {
        this.fail(
          `scoped or unknown inline flags (?${letters}${m[2]}) are not supported; put global flags such as (?i) at the start of the pattern`,
        );
      }
      if (letters.includes("x")) this.fail("the verbose flag (?x) must be at the start of the pattern");
      // Older Pythons applied a flag group anywhere to the whole pattern: so do we.
      for (const f of letters) this.flags.add(f);
      this.i += m[0].length;
    } else if (rest.startsWith("(?")) {
      this.fail(`unknown extension ${JSON.stringify(rest.slice(0, 3))}`);
    } else {
      this.groups++;
      this.out += "(";
      this.i++;
    }
  }

  private charClass(): void {
    this.out += "[";
    this.i++;
    if (this.p[this.i] === "^") {
      this.out += "^";
      this.i++;
    }
    // In Python a `]` right after `[` or `[^` is a literal; in JavaScript it would close the class.
    if (this.p[this.i] === "]") {
      this.out += "\\]";
      this.i++;
    }
    for (;;) {
      if (this.i >= this.p.length) this.fail("unterminated character set");
      const c = this.p[this.i]!;
      if (c === "]") {
        this.out += "]";
        this.i++;
        return;
      }
      if (c === "\\") {
        this.out += this.escape(true);
        continue;
      }
      if (c === "[") {
        this.out += "\\[";
        this.i++;
        continue;
      }
      const cp = this.p.codePointAt(this.i)!;
      const ch = String.fromCodePoint(cp);
      this.out += ch;
      this.i += ch.length;
    }
  }

  /** One escape sequence starting at the backslash; `inClass` changes a few meanings. */
  private escape(inClass: boolean): string {
    const c = this.p[this.i + 1];
    if (c === undefined) this.fail("a pattern cannot end with a backslash");
    this.i += 2;
    switch (c) {
      case "d":
      case "D":
      case "s":
      case "S":
      case "n":
      case "t":
      case "r":
      case "f":
      case "v":
        return `\\${c}`;
      case "w":
        if (this.ascii) return "\\w";
        return inClass ? WORD : WORD_CLASS;
      case "W":
        // A negated Unicode class cannot sit inside another class without the `v` flag: there
        // the ASCII meaning is the closest JavaScript has.
        if (this.ascii || inClass) return "\\W";
        return `[^${WORD}]`;
      case "b":
        if (inClass) return "\\x08";
        if (this.ascii) return "\\b";
        return `(?:(?<=${WORD_CLASS})(?!${WORD_CLASS})|(?<!${WORD_CLASS})(?=${WORD_CLASS}))`;
      case "B":
        if (inClass) this.fail("bad escape \\B in a character set");
        if (this.ascii) return "\\B";
        return `(?:(?<=${WORD_CLASS})(?=${WORD_CLASS})|(?<!${WORD_CLASS})(?!${WORD_CLASS}))`;
      case "A":
        if (inClass) this.fail("bad escape \\A in a character set");
        return "(?<![\\s\\S])";
      case "Z":
      case "z":
        if (inClass) this.fail(`bad escape \\${c} in a character set`);
        return "(?![\\s\\S])";
      case "a":
        return "\\x07";
      case "x":
        return `\\u{${this.hex(2, "\\x")}}`;
      case "u":
        return `\\u{${this.hex(4, "\\u")}}`;
      case "U":
        return `\\u{${this.hex(8, "\\U")}}`;
      case "p":
      case "P": {
        // Not Python `re`, but the `regex` module's and JavaScript's: pass it through.
        const m = /^\{[\w=]+\}/.exec(this.p.slice(this.i));
        if (!m) this.fail(`bad escape \\${c}`);
        this.i += m[0].length;
        return `\\${c}${m[0]}`;
      }
      case "N":
        return this.fail("named characters (\\N{...}) are not supported");
      default:
        break;
    }
    if (/[0-9]/.test(c)) return this.numericEscape(c, inClass);
    if (/[A-Za-z]/.test(c)) this.fail(`bad escape \\${c}`);
    // Escaped punctuation or any other character: the character itself.
    if (inClass) return c === "-" || c === "]" || c === "[" || c === "^" || c === "\\" ? `\\${c}` : literal(c);
    if (SYNTAX.has(c)) return `\\${c}`;
    return literal(c);
  }

  private hex(digits: number, what: string): string {
    const h = this.p.slice(this.i, this.i + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(h)) this.fail(`bad escape ${what}${h}`);
    this.i += digits;
    return h;
  }

  /** `\1`–`\99` are back-references; `\0`, `\0oo` and three octal digits are characters. */
  private numericEscape(first: string, inClass: boolean): string {
    const rest = this.p.slice(this.i);
    const octal3 = /^[0-7]{2}/.exec(rest);
    if (first === "0" || (inClass && /[0-7]/.test(first)) || (/[0-3]/.test(first) && octal3)) {
      const more = /^[0-7]{0,2}/.exec(rest)![0];
      const digits = first === "0" || inClass ? more : octal3![0];
      this.i += digits.length;
      return `\\u{${parseInt(first + digits, 8).toString(16)}}`;
    }
    if (inClass) this.fail(`bad escape \\${first} in a character set`);
    const second = /^[0-9]/.exec(rest)?.[0] ?? "";
    this.i += second.length;
    // Grouped so a following literal digit cannot extend the number.
    return `(?:\\${first}${second})`;
  }
}

function literal(c: string): string {
  return SYNTAX.has(c) ? `\\${c}` : c;
}
