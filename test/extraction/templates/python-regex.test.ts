import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePythonRegex, PythonRegexError } from "../../../src/extraction/templates/python-regex.js";
import { expandReplacement, parsePythonReplacement } from "../../../src/extraction/templates/python-replacement.js";

/** What Python's re.search would return for the pattern: the whole match and the groups. */
function search(pattern: string, text: string): string[] | null {
  const m = compilePythonRegex(pattern).exec(text);
  return m ? [...m].map((g) => g ?? "") : null;
}

describe("Python regexes in JavaScript", () => {
  it("named groups and named back-references", () => {
    const m = compilePythonRegex("(?P<code>[A-Z]{2})-(?P=code)").exec("x AB-AB");
    assert.equal(m?.groups?.code, "AB");
    assert.equal(search("(?P<code>[A-Z]{2})-(?P=code)", "AB-CD"), null);
    assert.deepEqual(search("(a)(b)\\2\\1", "abba"), ["abba", "a", "b"]);
    // Two digits are one reference, as in Python (where group 10 must exist); a quantified reference repeats the group's text.
    assert.throws(() => compilePythonRegex("(a)\\10"), PythonRegexError);
    assert.deepEqual(search("(a)\\1{2}0", "aaa0"), ["aaa0", "a"]);
  });

  it("inline flags at the start (and, as older Pythons allowed, anywhere)", () => {
    assert.deepEqual(search("(?i)faktura", "FAKTURA VAT"), ["FAKTURA"]);
    assert.deepEqual(search("VAT(?i)", "vat"), ["vat"]);
    assert.deepEqual(search("(?s)a.b", "a\nb"), ["a\nb"]);
    assert.equal(search("a.b", "a\nb"), null);
    assert.deepEqual(search("(?m)^Total$", "x\nTotal\ny"), ["Total"]);
    assert.equal(search("^Total$", "x\nTotal\ny"), null);
  });

  it("anchors as Python reads them: \\A, \\Z, and $ before a final newline", () => {
    assert.deepEqual(search("end$", "the end\n"), ["end"]);
    assert.equal(search("end$", "the end\nmore"), null);
    assert.equal(search("end\\Z", "the end\n"), null);
    assert.deepEqual(search("end\\Z", "the end"), ["end"]);
    assert.deepEqual(search("(?m)\\Afirst", "first\nsecond"), ["first"]);
    assert.equal(search("(?m)\\Asecond", "first\nsecond"), null);
    // `.` excludes only "\n" (JavaScript's would also stop at "\r").
    assert.deepEqual(search("a.c", "a\rc"), ["a\rc"]);
  });

  it("\\w and \\b are Unicode-aware, as in Python 3", () => {
    assert.deepEqual(search("(\\w+) (\\w+)", "Zażółć gęślą"), ["Zażółć gęślą", "Zażółć", "gęślą"]);
    assert.deepEqual(search("\\bść\\b", "gęś ść"), ["ść"]);
    assert.equal(search("\\bęś", "gęś"), null);
    assert.deepEqual(search("[\\w-]+", "Łódź-Bałuty"), ["Łódź-Bałuty"]);
    assert.deepEqual(search("\\W+", "ąb, c"), [", "]);
    // (?a) keeps them ASCII.
    assert.deepEqual(search("(?a)\\w+", "żółw"), ["w"]);
  });

  it("Python's lenient literals and quantifiers", () => {
    assert.deepEqual(search("a{,2}b", "aaab"), ["aab"]);
    assert.deepEqual(search("{x}", "a {x} b"), ["{x}"]);
    assert.deepEqual(search("x{2", "x{2"), ["x{2"]);
    assert.deepEqual(search("a]", "a]"), ["a]"]);
    assert.deepEqual(search("[]a]+", "]a]"), ["]a]"]);
    assert.deepEqual(search("Nr\\:\\ (\\d+)\\#", "Nr: 12#"), ["Nr: 12#", "12"]);
    assert.deepEqual(search("[\\-\\d]+", "12-34"), ["12-34"]);
    assert.deepEqual(search("[-|\\/]", "a/b"), ["/"]);
    assert.deepEqual(search("\\x41\\u0042\\U00000043\\101", "ABCA"), ["ABCA"]);
    assert.deepEqual(search("a\\0b", "a\0b"), ["a\0b"]);
  });

  it("verbose patterns drop whitespace and comments", () => {
    assert.deepEqual(search("(?x) Total \\s+ (\\d+)  # the amount\n  \\ EUR", "Total 12 EUR"), ["Total 12 EUR", "12"]);
    assert.deepEqual(search("(?x)[ ]a", " a"), [" a"]);
  });

  it("comments, lookarounds and lazy quantifiers pass", () => {
    assert.deepEqual(search("(?#note)a(?=b)", "ab"), ["a"]);
    assert.deepEqual(search("(?<=\\$)\\d+(?!\\d)", "$42"), ["42"]);
    assert.deepEqual(search("<.+?>", "<a><b>"), ["<a>"]);
    assert.deepEqual(search("(?:ab){2,3}?", "ababab"), ["abab"]);
  });

  it("refuses, with a clear message, what JavaScript cannot match", () => {
    const refused: Array<[string, RegExp]> = [
      ["\\d++", /possessive/],
      ["a{2}+", /possessive/],
      ["(?>abc)", /atomic/],
      ["(a)?(?(1)b|c)", /conditional/],
      ["(?i:abc)", /scoped or unknown inline flags/],
      ["\\N{EM DASH}", /named characters/],
      ["\\q", /bad escape \\q/],
      ["(unclosed", /invalid regular expression/],
      ["[abc", /unterminated character set/],
      ["abc\\", /cannot end with a backslash/],
      ["a(?x)b", /must be at the start/],
    ];
    for (const [pattern, message] of refused) {
      assert.throws(
        () => compilePythonRegex(pattern),
        (e: unknown) =>
          e instanceof PythonRegexError && message.test(e.message) && e.message.includes(JSON.stringify(pattern)),
        pattern,
      );
    }
  });
});

describe("Python replacement templates", () => {
  const sub = (pattern: string, repl: string, text: string) => {
    const re = new RegExp(compilePythonRegex(pattern).source, `${compilePythonRegex(pattern).flags}g`);
    const parts = parsePythonReplacement(repl);
    return text.replace(re, (...args) => {
      const groups = typeof args.at(-1) === "object" ? (args.at(-1) as Record<string, string>) : undefined;
      const m = Object.assign(args.slice(0, groups ? -3 : -2), { groups }) as unknown as RegExpExecArray;
      return expandReplacement(parts, m);
    });
  };

  it("expands numbered and named groups and character escapes", () => {
    assert.equal(sub("(?P<qty>\\d{2}\\s)L", "\\g<qty>LTR", "12 L oil"), "12 LTR oil");
    assert.equal(sub("(\\d+)-(\\d+)", "\\2/\\1", "03-2024"), "2024/03");
    assert.equal(sub("(\\d+)", "\\g<1>0", "5"), "50");
    assert.equal(sub(",", "\\n", "a,b"), "a\nb");
    assert.equal(sub("x", "\\\\", "x"), "\\");
    assert.equal(sub("x", "$1 & \\&", "x"), "$1 & \\&");
    // A group that did not take part is empty.
    assert.equal(sub("(a)|(b)", "[\\1\\2]", "b"), "[b]");
  });

  it("refuses unknown letter escapes", () => {
    assert.throws(() => parsePythonReplacement("\\q"), /bad escape \\q/);
    assert.throws(() => parsePythonReplacement("\\g1"), /missing group name/);
  });
});
