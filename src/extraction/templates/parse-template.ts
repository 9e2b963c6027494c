/**
 * invoice2data's YAML template format, read so that users can bring their templates
 * unchanged: `issuer`, `keywords`, `exclude_keywords`, `priority`, `fields` (legacy
 * `name: regex` and `static_` / `sum_amount` forms, and the `parser: regex|static|lines`
 * form with `type`, `group`, `replace`, `extract_number`), `options`, the legacy top-level
 * `lines` and the `tables` plugin. Regexes are Python's, translated (python-regex.ts).
 *
 * The YAML is read with the failsafe schema: every scalar stays the text the author wrote
 * (a regex such as `0012` or a static value such as `7010308447` is never turned into a
 * number), and settings are interpreted here as PyYAML would (`yes`/`true` are true).
 * Duplicate keys are allowed, the last one winning, as in PyYAML.
 */
import { parse as parseYaml } from "yaml";
import { DocketError } from "../../errors.js";
import { compilePythonRegex, PythonRegexError } from "./python-regex.js";
import { parsePythonReplacement } from "./python-replacement.js";
import {
  GROUP_MODES,
  VALUE_TYPES,
  type CompiledRegex,
  type GroupMode,
  type InvoiceTemplate,
  type Keyword,
  type LinesFieldSpec,
  type LinesRule,
  type RegexFieldSpec,
  type Replacement,
  type TableSpec,
  type TemplateArea,
  type TemplateField,
  type TemplateOptions,
  type ValueType,
} from "./template-schema.js";
import {
  asList,
  asMap,
  boolean,
  isMap,
  isNull,
  number,
  required,
  scalar,
  scalarText,
  stringList,
  TemplateProblem,
  type Raw,
  type RawMap,
} from "./template-yaml-values.js";

const TOP_LEVEL_KEYS = new Set([
  "issuer",
  "keywords",
  "exclude_keywords",
  "priority",
  "fields",
  "options",
  "lines",
  "tables",
  "required_fields",
  "template_name",
]);
const IGNORED_TOP_LEVEL: Record<string, string> = {
  input_module: "Docket reads documents its own way: input_module is ignored",
  camelot: "the camelot plugin is not supported: ignored",
};

/** Parse and compile one template; throws DocketError validation_error naming the template and the problem. */
export function parseTemplate(yamlText: string, name: string): InvoiceTemplate {
  const fail = (problem: string): never => {
    throw new DocketError("validation_error", `template "${name}": ${problem}`, {
      details: { template: name, problem },
    });
  };
  let raw: unknown;
  try {
    raw = parseYaml(yamlText, { schema: "failsafe", uniqueKeys: false, merge: true, prettyErrors: true });
  } catch (error) {
    fail(`not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isMap(raw)) return fail("a template is a mapping (issuer:, keywords:, fields:, …)");
  try {
    return new TemplateReader(name, raw).read();
  } catch (error) {
    if (error instanceof TemplateProblem) return fail(error.message);
    if (error instanceof PythonRegexError) return fail(error.message);
    throw error;
  }
}

class TemplateReader {
  private readonly warnings: string[] = [];

  constructor(
    private readonly name: string,
    private readonly raw: RawMap,
  ) {}

  read(): InvoiceTemplate {
    const r = this.raw;
    for (const key of Object.keys(r)) {
      if (IGNORED_TOP_LEVEL[key]) this.warnings.push(IGNORED_TOP_LEVEL[key]);
      else if (!TOP_LEVEL_KEYS.has(key)) this.warnings.push(`unknown key "${key}" is ignored`);
    }
    const keywordSources = stringList(r.keywords, "keywords");
    if (keywordSources.length === 0)
      throw new TemplateProblem("keywords are required (the words that pick this template)");
    const issuer = scalar(r.issuer, "issuer");
    const fields = this.fields(r.fields);
    if (r.lines !== undefined && !isNull(r.lines)) {
      // The legacy plugin's settings, or (as some templates write it) a list of rules.
      const lines = Array.isArray(r.lines)
        ? this.linesField({ rules: r.lines }, "lines")
        : this.linesField(asMap(r.lines, "lines"), "lines");
      const at = fields.findIndex((f) => f.name === "lines");
      if (at !== -1) fields.splice(at, 1);
      fields.push({ name: "lines", spec: { ...lines, area: null } });
    }
    return {
      name: this.name,
      issuer,
      keywords: keywordSources.map(keyword),
      excludeKeywords: stringList(r.exclude_keywords, "exclude_keywords").map(keyword),
      priority: number(r.priority, "priority") ?? 5,
      options: this.options(r.options),
      fields,
      tables: this.tables(r.tables),
      warnings: this.warnings,
    };
  }

  private options(value: Raw | undefined): TemplateOptions {
    const o = isNull(value) ? {} : asMap(value!, "options");
    const separator = scalar(o.decimal_separator, "options.decimal_separator");
    let decimalSeparator: "," | "." | null = null;
    if (separator === "," || separator === ".") decimalSeparator = separator;
    else if (separator !== null)
      this.warnings.push(`options.decimal_separator "${separator}" is neither "," nor ".": ignored`);
    const currency = scalar(o.currency, "options.currency");
    return {
      currency: currency ? currency.trim().toUpperCase() : null,
      dateFormats: stringList(o.date_formats, "options.date_formats"),
      decimalSeparator,
      removeWhitespace: boolean(o.remove_whitespace, "options.remove_whitespace"),
      removeAccents: boolean(o.remove_accents, "options.remove_accents"),
      lowercase: boolean(o.lowercase, "options.lowercase"),
      languages: stringList(o.languages, "options.languages"),
      replace: replacements(o.replace, "options.replace"),
    };
  }

  private fields(value: Raw | undefined): TemplateField[] {
    if (isNull(value)) return [];
    const out: TemplateField[] = [];
    for (const [key, v] of Object.entries(asMap(value!, "fields"))) {
      const where = `fields.${key}`;
      if (isMap(v)) {
        const parser = scalar(v.parser, `${where}.parser`);
        if (parser === null) {
          this.warnings.push(`${where} has no parser: ignored (as invoice2data does)`);
          continue;
        }
        if (parser === "regex")
          out.push({ name: key, spec: { ...this.regexField(v, where), area: area(v.area, `${where}.area`) } });
        else if (parser === "static") {
          if (v.value === undefined) throw new TemplateProblem(`${where}: a static field needs a value`);
          out.push({
            name: key,
            spec: {
              parser: "static",
              value: scalarText(v.value, `${where}.value`),
              type: valueType(v.type, `${where}.type`),
            },
          });
        } else if (parser === "lines")
          out.push({ name: key, spec: { ...this.linesField(v, where), area: area(v.area, `${where}.area`) } });
        else this.warnings.push(`${where} has an unknown parser "${parser}": ignored`);
      } else if (key.startsWith("static_")) {
        out.push({
          name: key.slice("static_".length),
          spec: { parser: "static", value: scalarText(v, where), type: null },
        });
      } else {
        // The legacy form: a regex or a list of them, typed by the field's name.
        const regexes = stringList(v, where).map((s, i) => regex(s, `${where}[${i}]`));
        if (regexes.length === 0) throw new TemplateProblem(`${where}: no regex`);
        let fieldName = key;
        let type: ValueType | null = null;
        let group: GroupMode | null = null;
        if (key.startsWith("sum_amount") && Array.isArray(v)) {
          fieldName = key.slice("sum_".length);
          type = "float";
          group = "sum";
        } else if (key.startsWith("date") || key.endsWith("date")) type = "date";
        else if (key.startsWith("amount")) type = "float";
        out.push({
          name: fieldName,
          spec: { parser: "regex", area: null, regexes, type, group, replace: [], extractNumber: false },
        });
      }
    }
    for (const f of out) {
      if (f.spec.parser === "regex") {
        for (const r of f.spec.regexes) {
          if (r.groups > 1)
            this.warnings.push(
              `fields.${f.name}: ${JSON.stringify(r.source)} has ${r.groups} capturing groups; invoice2data takes no value from it (use (?:…) for the others)`,
            );
        }
      }
    }
    return out;
  }

  private regexField(v: RawMap, where: string): Omit<RegexFieldSpec, "area"> {
    if (v.regex === undefined || isNull(v.regex)) throw new TemplateProblem(`${where}: parser regex needs a regex`);
    const regexes = stringList(v.regex, `${where}.regex`).map((s, i) => regex(s, `${where}.regex[${i}]`));
    const group = scalar(v.group, `${where}.group`);
    if (group !== null && !(GROUP_MODES as readonly string[]).includes(group))
      throw new TemplateProblem(`${where}.group "${group}" is not one of ${GROUP_MODES.join(", ")}`);
    return {
      parser: "regex",
      regexes,
      type: valueType(v.type, `${where}.type`),
      group: group as GroupMode | null,
      replace: replacements(v.replace, `${where}.replace`),
      extractNumber: boolean(v.extract_number, `${where}.extract_number`),
    };
  }

  private linesField(v: RawMap, where: string): Omit<LinesFieldSpec, "area"> {
    const rules =
      v.rules !== undefined && !isNull(v.rules)
        ? asList(v.rules, `${where}.rules`).map((r, i) => asMap(r, `${where}.rules[${i}]`))
        : [v];
    return {
      parser: "lines",
      rules: rules.map((r, i) => linesRule(r, v.rules === undefined ? where : `${where}.rules[${i}]`)),
    };
  }

  private tables(value: Raw | undefined): TableSpec[] {
    if (isNull(value)) return [];
    const list = isMap(value!) ? [value] : asList(value!, "tables");
    return list.map((t, i) => {
      const where = `tables[${i}]`;
      const m = asMap(t, where);
      const groups: Record<string, GroupMode> = {};
      const types = typeMap(m.types, `${where}.types`);
      if (!isNull(m.fields)) {
        for (const [field, settings] of Object.entries(asMap(m.fields!, `${where}.fields`))) {
          const s = asMap(settings, `${where}.fields.${field}`);
          const type = valueType(s.type, `${where}.fields.${field}.type`);
          if (type && !types[field]) types[field] = type;
          const group = scalar(s.group, `${where}.fields.${field}.group`);
          if (group !== null) {
            if (!(GROUP_MODES as readonly string[]).includes(group))
              throw new TemplateProblem(
                `${where}.fields.${field}.group "${group}" is not one of ${GROUP_MODES.join(", ")}`,
              );
            groups[field] = group as GroupMode;
          }
        }
      }
      return {
        start: regex(required(m.start, `${where}.start`), `${where}.start`),
        end: regex(required(m.end, `${where}.end`), `${where}.end`),
        body: regex(required(m.body, `${where}.body`), `${where}.body`),
        lineSeparator: regex(scalar(m.line_separator, `${where}.line_separator`) ?? "\\n", `${where}.line_separator`),
        types,
        groups,
      };
    });
  }
}

function linesRule(r: RawMap, where: string): LinesRule {
  const list = (key: string) =>
    r[key] === undefined || isNull(r[key])
      ? null
      : stringList(r[key], `${where}.${key}`).map((s, i) => regex(s, `${where}.${key}[${i}]`));
  const line = list("line");
  if (!line || line.length === 0) throw new TemplateProblem(`${where}: lines need a line regex`);
  const endMatch = scalar(r.end_match, `${where}.end_match`) ?? "first";
  const replace: Record<string, Replacement[]> = {};
  if (r.replace !== undefined && !isNull(r.replace)) {
    const entries = isMap(r.replace)
      ? [r.replace]
      : asList(r.replace, `${where}.replace`).map((e, i) => asMap(e, `${where}.replace[${i}]`));
    for (const entry of entries)
      for (const [column, pairs] of Object.entries(entry))
        replace[column] = replacements(pairs, `${where}.replace.${column}`);
  }
  return {
    start: regex(required(r.start, `${where}.start`), `${where}.start`),
    end: regex(required(r.end, `${where}.end`), `${where}.end`),
    endMatch: endMatch === "last" ? "last" : "first",
    line,
    firstLine: list("first_line"),
    lastLine: list("last_line"),
    skipLine: list("skip_line") ?? [],
    lineSeparator: regex(scalar(r.line_separator, `${where}.line_separator`) ?? "\\n", `${where}.line_separator`),
    types: typeMap(r.types, `${where}.types`),
    replace,
  };
}

function regex(source: string, where: string): CompiledRegex {
  try {
    const compiled = compilePythonRegex(source, "d");
    // Count groups from the translation (the RegExp itself does not expose the count).
    const groups = new RegExp(`${compiled.source}|`, compiled.flags.replace("d", "")).exec("")!.length - 1;
    return { source, regex: compiled, groups };
  } catch (error) {
    if (error instanceof PythonRegexError) throw new TemplateProblem(`${where}: ${error.message}`);
    throw error;
  }
}

function keyword(source: string): Keyword {
  try {
    return { source, regex: compilePythonRegex(source) };
  } catch {
    return { source, regex: null };
  }
}

function replacements(value: Raw | undefined, where: string): Replacement[] {
  if (value === undefined || isNull(value)) return [];
  const list = asList(value, where);
  // One flat pair ["a", "b"] or a list of pairs [["a", "b"], …].
  const pairs = list.length === 2 && list.every((x) => typeof x === "string") ? [list] : list;
  return pairs.map((pair, i) => {
    const p = asList(pair, `${where}[${i}]`);
    if (p.length !== 2 || typeof p[0] !== "string" || typeof p[1] !== "string")
      throw new TemplateProblem(`${where}[${i}]: a replace entry is a [pattern, replacement] pair`);
    try {
      return { pattern: regex(p[0], `${where}[${i}]`), replacement: parsePythonReplacement(p[1]) };
    } catch (error) {
      if (error instanceof PythonRegexError) throw new TemplateProblem(`${where}[${i}]: ${error.message}`);
      throw error;
    }
  });
}

const AREA_KEYS = ["f", "l", "x", "y", "r", "W", "H"] as const;

function area(value: Raw | undefined, where: string): TemplateArea | null {
  if (value === undefined || isNull(value)) return null;
  const m = asMap(value, where);
  const out: Partial<TemplateArea> = {};
  for (const key of AREA_KEYS) {
    const s = scalar(m[key], `${where}.${key}`);
    if (s === null) {
      if (key === "l" || key === "r") continue;
      throw new TemplateProblem(`${where} needs ${AREA_KEYS.join(", ")} (${key} is missing)`);
    }
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new TemplateProblem(`${where}.${key} must be a number, not "${s}"`);
    out[key] = n;
  }
  // pdftotext's defaults: the last page is the first, the resolution 72 dpi.
  return { f: out.f!, l: out.l ?? out.f!, x: out.x!, y: out.y!, r: out.r || 72, W: out.W!, H: out.H! };
}

function valueType(value: Raw | undefined, where: string): ValueType | null {
  const t = scalar(value, where);
  if (t === null) return null;
  if (t === "datetime") return "date";
  if (!(VALUE_TYPES as readonly string[]).includes(t))
    throw new TemplateProblem(`${where} "${t}" is not one of int, float, date`);
  return t as ValueType;
}

function typeMap(value: Raw | undefined, where: string): Record<string, ValueType> {
  if (value === undefined || isNull(value)) return {};
  const out: Record<string, ValueType> = {};
  for (const [k, v] of Object.entries(asMap(value, where))) {
    const t = valueType(v, `${where}.${k}`);
    if (t) out[k] = t;
  }
  return out;
}
