/**
 * An invoice2data template, parsed and compiled (see parse-template.ts for the YAML it comes
 * from). Every regex is already a JavaScript RegExp translated from Python's syntax, so
 * applying a template never fails on syntax. Pure types.
 */
import type { ReplacementPart } from "./python-replacement.js";

export interface CompiledRegex {
  /** The pattern as the template wrote it (Python syntax). */
  source: string;
  /** Translated, flags `u` and `d` (match indices) plus the pattern's own; never `g`. */
  regex: RegExp;
  /** Capturing groups in the pattern. */
  groups: number;
}

/** A keyword: a regex as the tutorial says, or a plain substring as invoice2data ≥ 0.4.5 reads it; either matches. */
export interface Keyword {
  source: string;
  /** Null when the keyword is not a valid regex: then only its literal text matches. */
  regex: RegExp | null;
}

export interface Replacement {
  pattern: CompiledRegex;
  replacement: ReplacementPart[];
}

export type ValueType = "int" | "float" | "date";
export const VALUE_TYPES: readonly ValueType[] = ["int", "float", "date"];

export type GroupMode = "sum" | "min" | "max" | "first" | "last" | "join";
export const GROUP_MODES: readonly GroupMode[] = ["sum", "min", "max", "first", "last", "join"];

/** `options` (defaults as invoice2data's, except `currency`: unset means "not known", not EUR). */
export interface TemplateOptions {
  currency: string | null;
  dateFormats: string[];
  decimalSeparator: "," | "." | null;
  removeWhitespace: boolean;
  removeAccents: boolean;
  lowercase: boolean;
  languages: string[];
  replace: Replacement[];
}

/**
 * invoice2data's `area`: read only the words inside a rectangle of pages `f`–`l`, given in
 * pixels at `r` dots per inch from the page's top-left corner (as `pdftotext -x -y -W -H -r`).
 */
export interface TemplateArea {
  f: number;
  l: number;
  x: number;
  y: number;
  r: number;
  W: number;
  H: number;
}

export interface RegexFieldSpec {
  parser: "regex";
  area: TemplateArea | null;
  regexes: CompiledRegex[];
  type: ValueType | null;
  group: GroupMode | null;
  /** Field-level `replace` applied to each captured value. */
  replace: Replacement[];
  extractNumber: boolean;
}

export interface StaticFieldSpec {
  parser: "static";
  value: string;
  type: ValueType | null;
}

export interface LinesRule {
  start: CompiledRegex;
  end: CompiledRegex;
  endMatch: "first" | "last";
  line: CompiledRegex[];
  firstLine: CompiledRegex[] | null;
  lastLine: CompiledRegex[] | null;
  skipLine: CompiledRegex[];
  lineSeparator: CompiledRegex;
  types: Record<string, ValueType>;
  /** Per-column replacements. */
  replace: Record<string, Replacement[]>;
}

export interface LinesFieldSpec {
  parser: "lines";
  area: TemplateArea | null;
  rules: LinesRule[];
}

export type FieldSpec = RegexFieldSpec | StaticFieldSpec | LinesFieldSpec;

export interface TemplateField {
  /** The output name (invoice2data's `static_` and `sum_` prefixes removed). */
  name: string;
  spec: FieldSpec;
}

/** The `tables` plugin: named groups of `body`, read line by line between `start` and `end`. */
export interface TableSpec {
  start: CompiledRegex;
  end: CompiledRegex;
  body: CompiledRegex;
  lineSeparator: CompiledRegex;
  types: Record<string, ValueType>;
  groups: Record<string, GroupMode>;
}

export interface InvoiceTemplate {
  /** Unique in a catalog: the file name without extension, or the upload's name. */
  name: string;
  /**
   * `issuer` as the template writes it; null when absent (invoice2data then names the issuer
   * by the first keyword, which is no seller name, so Docket does not).
   */
  issuer: string | null;
  keywords: Keyword[];
  excludeKeywords: Keyword[];
  /** Higher wins when several templates match (default 5). */
  priority: number;
  options: TemplateOptions;
  /** In the template's order; the legacy top-level `lines` comes last as a field named "lines". */
  fields: TemplateField[];
  tables: TableSpec[];
  /** What the template asks that Docket ignores (e.g. `input_module`, `camelot`): for the uploader and the log. */
  warnings: string[];
}
