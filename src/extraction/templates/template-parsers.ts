/**
 * What a template's parsers match in the prepared text, and where: the regex parser (every
 * match of every regex, as Python's `findall`), invoice2data's `lines` parser (blocks between
 * `start` and `end`, rows from `first_line` / `line` / `last_line`) and the `tables` plugin.
 * Positions are in the prepared text; apply-template.ts maps them back to the document.
 */
import type { CompiledRegex, LinesRule, TableSpec } from "./template-schema.js";

/** One captured value and its range in the searched text. */
export interface Capture {
  text: string;
  start: number;
  end: number;
}

/** A row of a lines block: its columns, and the text ranges of the lines it was read from. */
export interface LineRow {
  values: Record<string, string>;
  ranges: Array<{ start: number; end: number }>;
}

function globalOf(r: CompiledRegex): RegExp {
  return new RegExp(r.regex.source, `${r.regex.flags}g`);
}

/**
 * Python's `findall` over each regex in turn: the whole match when the regex has no group,
 * the group when it has one; a regex with several groups gives nothing (invoice2data warns
 * and drops the field).
 */
export function findAll(regexes: readonly CompiledRegex[], text: string, base = 0): Capture[] | null {
  const out: Capture[] = [];
  for (const r of regexes) {
    if (r.groups > 1) {
      if (r.regex.test(text)) return null;
      continue;
    }
    for (const m of text.matchAll(globalOf(r))) {
      if (r.groups === 0) out.push({ text: m[0], start: base + m.index, end: base + m.index + m[0].length });
      else {
        const span = m.indices?.[1];
        // A group that did not take part gives "" in Python's findall.
        out.push(
          span
            ? { text: m[1]!, start: base + span[0], end: base + span[1] }
            : { text: "", start: base + m.index, end: base + m.index },
        );
      }
    }
  }
  return out;
}

function searchFirst(patterns: readonly CompiledRegex[], line: string): RegExpExecArray | null {
  for (const p of patterns) {
    const m = p.regex.exec(line);
    if (m) return m;
  }
  return null;
}

/** The lines of `text` (split by the rule's separator) with their offsets. */
function splitLines(text: string, separator: CompiledRegex, base: number): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  let last = 0;
  for (const m of text.matchAll(globalOf(separator))) {
    if (m[0].length === 0) continue;
    out.push({ text: text.slice(last, m.index), start: base + last });
    last = m.index + m[0].length;
  }
  out.push({ text: text.slice(last), start: base + last });
  return out;
}

/** Named groups of a match, stripped, with "" for groups that did not take part. */
function namedValues(m: RegExpExecArray): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.groups ?? {})) out[name] = (value ?? "").trim();
  return out;
}

function addToRow(row: LineRow, m: RegExpExecArray): void {
  for (const [name, value] of Object.entries(namedValues(m))) {
    const before = row.values[name] ?? "";
    row.values[name] = before && value !== undefined ? `${before}\n${value}` : `${before}${value}`;
  }
}

/** One block's rows, as invoice2data's parse_block reads them. */
function parseBlock(rule: LinesRule, text: string, base: number): LineRow[] {
  const rows: LineRow[] = [];
  // Without first_line and last_line every `line` match starts a row. With last_line alone
  // (where invoice2data reads nothing) a row runs from the block's start or the last row's end.
  const firstLine = rule.firstLine ?? (rule.lastLine ? null : rule.line);
  let current: LineRow | null = null;
  let open = firstLine === null;
  for (const line of splitLines(text, rule.lineSeparator, base)) {
    if (line.text.replace(/^[\r\n]+|[\r\n]+$/g, "") === "") continue;
    if (rule.skipLine.some((p) => p.regex.test(line.text))) continue;
    const range = { start: line.start, end: line.start + line.text.length };
    if (firstLine) {
      const m = searchFirst(firstLine, line.text);
      if (m) {
        if (current && Object.keys(current.values).length > 0) rows.push(current);
        current = { values: namedValues(m), ranges: [range] };
        open = true;
        continue;
      }
    }
    if (!open) continue;
    current ??= { values: {}, ranges: [] };
    if (rule.lastLine) {
      const m = searchFirst(rule.lastLine, line.text);
      if (m) {
        addToRow(current, m);
        current.ranges.push(range);
        if (Object.keys(current.values).length > 0) rows.push(current);
        current = null;
        open = firstLine === null;
        continue;
      }
    }
    const m = searchFirst(rule.line, line.text);
    if (m) {
      addToRow(current, m);
      current.ranges.push(range);
    }
  }
  if (current && Object.keys(current.values).length > 0) rows.push(current);
  return rows;
}

/** Every block between `start` and `end` of one rule, in order (invoice2data's parse_by_rule). */
export function parseLinesRule(rule: LinesRule, text: string): LineRow[] {
  const rows: LineRow[] = [];
  let rest = text;
  let base = 0;
  for (;;) {
    const start = rule.start.regex.exec(rest);
    if (!start) break;
    const afterStart = start.index + start[0].length;
    rest = rest.slice(afterStart);
    base += afterStart;
    let end: RegExpExecArray | null = null;
    if (rule.endMatch === "last") {
      for (const m of rest.matchAll(globalOf(rule.end))) end = m as RegExpExecArray;
    } else end = rule.end.regex.exec(rest);
    if (!end) break;
    rows.push(...parseBlock(rule, rest.slice(0, end.index), base));
    const afterEnd = end.index + end[0].length;
    rest = rest.slice(afterEnd);
    base += afterEnd;
    // Patterns that match empty at the same place would find the same block forever.
    if (afterStart === 0 && afterEnd === 0) break;
  }
  return rows;
}

/** A table's named groups, line by line: each name's values in order, with where they were read. */
export function parseTable(table: TableSpec, text: string): Map<string, Capture[]> {
  const out = new Map<string, Capture[]>();
  const start = table.start.regex.exec(text);
  const end = table.end.regex.exec(text);
  if (!start || !end) return out;
  const bodyStart = start.index + start[0].length;
  const body = text.slice(bodyStart, end.index);
  for (const line of splitLines(body, table.lineSeparator, bodyStart)) {
    if (line.text.trim() === "") continue;
    const m = table.body.regex.exec(line.text);
    if (!m) continue;
    for (const [name, value] of Object.entries(m.groups ?? {})) {
      const span = m.indices?.groups?.[name];
      const capture = span
        ? { text: value ?? "", start: line.start + span[0], end: line.start + span[1] }
        : { text: "", start: line.start, end: line.start };
      const list = out.get(name) ?? [];
      list.push(capture);
      out.set(name, list);
    }
  }
  return out;
}
