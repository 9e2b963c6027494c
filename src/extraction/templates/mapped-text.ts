/**
 * Text that a template's `options` rewrote (removed spaces and accents, lower case, `replace`)
 * with, for every character, the range of the original text it came from: so a value matched
 * in the rewritten text still finds its words and boxes in the document.
 */
import { expandReplacement } from "./python-replacement.js";
import type { Replacement } from "./template-schema.js";

export interface MappedText {
  text: string;
  /** from[i], to[i]: the original range character i came from (`to` exclusive). */
  from: Int32Array;
  to: Int32Array;
}

export function identityText(text: string): MappedText {
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    from[i] = i;
    to[i] = i + 1;
  }
  return { text, from, to };
}

/** The original range of the rewritten range [start, end); an empty range maps to an empty one. */
export function originalRange(mt: MappedText, start: number, end: number): { start: number; end: number } {
  if (end <= start) {
    const at = start < mt.text.length ? mt.from[start]! : mt.text.length > 0 ? mt.to[mt.text.length - 1]! : 0;
    return { start: at, end: at };
  }
  return { start: mt.from[start]!, end: mt.to[end - 1]! };
}

class Builder {
  private text = "";
  private from: number[] = [];
  private to: number[] = [];

  push(s: string, from: number, to: number): void {
    this.text += s;
    for (let i = 0; i < s.length; i++) {
      this.from.push(from);
      this.to.push(to);
    }
  }

  copy(mt: MappedText, start: number, end: number): void {
    this.text += mt.text.slice(start, end);
    for (let i = start; i < end; i++) {
      this.from.push(mt.from[i]!);
      this.to.push(mt.to[i]!);
    }
  }

  build(): MappedText {
    return { text: this.text, from: Int32Array.from(this.from), to: Int32Array.from(this.to) };
  }
}

/** Each code point rewritten by `f` (possibly to several characters, or none). */
function mapCodePoints(mt: MappedText, f: (ch: string) => string): MappedText {
  const b = new Builder();
  for (let i = 0; i < mt.text.length;) {
    const cp = mt.text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const out = f(ch);
    if (out === ch) b.copy(mt, i, i + ch.length);
    else b.push(out, mt.from[i]!, mt.to[i + ch.length - 1]!);
    i += ch.length;
  }
  return b.build();
}

/** invoice2data's `remove_whitespace`: removes spaces (U+0020 only; line breaks stay). */
export function removeSpaces(mt: MappedText): MappedText {
  return mapCodePoints(mt, (ch) => (ch === " " ? "" : ch));
}

/** `remove_accents`: compatibility decomposition, combining marks U+0300–U+0362 removed. */
export function removeAccents(mt: MappedText): MappedText {
  return mapCodePoints(mt, (ch) =>
    ch.charCodeAt(0) < 0x80 ? ch : ch.normalize("NFKD").replace(/[\u0300-\u0362]/g, ""),
  );
}

export function lowerCase(mt: MappedText): MappedText {
  return mapCodePoints(mt, (ch) => ch.toLowerCase());
}

/** `re.sub(pattern, repl, text)`: replaced text maps to the whole range of what it replaced. */
export function replaceAll(mt: MappedText, r: Replacement): MappedText {
  const b = new Builder();
  const re = new RegExp(r.pattern.regex.source, `${r.pattern.regex.flags.replace("d", "")}g`);
  let last = 0;
  let matched = false;
  for (const m of mt.text.matchAll(re)) {
    matched = true;
    const start = m.index;
    const end = start + m[0].length;
    b.copy(mt, last, start);
    const replacement = expandReplacement(r.replacement, m as RegExpExecArray);
    if (replacement !== "") {
      const range = originalRange(mt, start, end);
      b.push(replacement, range.start, range.end);
    }
    last = end;
  }
  if (!matched) return mt;
  b.copy(mt, last, mt.text.length);
  return b.build();
}

/** Python's `re.sub` on a plain string (a captured value), with a template's replacement. */
export function replaceText(text: string, r: Replacement): string {
  const re = new RegExp(r.pattern.regex.source, `${r.pattern.regex.flags.replace("d", "")}g`);
  let out = "";
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += text.slice(last, m.index) + expandReplacement(r.replacement, m as RegExpExecArray);
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}
