/**
 * Picking the template for a document and reading its fields with it, as invoice2data does:
 * every keyword matches and no exclude keyword does (the highest priority wins, then the most
 * keywords); the text is prepared by the template's options; each field's parser runs; values
 * are typed and grouped. Docket's fields are normalised with the template's options as hints
 * and carry the words they were read from; what has no Docket name is kept in `extras`.
 */
import { locateText, sourceOf, type DocumentText } from "../document-text.js";
import { collapseWhitespace, normalizeField, type NormalizeHints } from "../normalize/index.js";
import {
  FIELD_KINDS,
  type ExtractionCandidates,
  type Field,
  type FieldName,
  type FieldSource,
  type Fields,
  type LineItem,
  type VatBreakdownRow,
} from "../types.js";
import { areaText } from "./area-text.js";
import {
  CURRENCY_SYMBOL_FIELD,
  docketFieldFor,
  LINE_ITEM_FIELDS,
  SELLER_ADDRESS_PARTS,
  VAT_BREAKDOWN_FIELDS,
} from "./field-mapping.js";
import {
  identityText,
  lowerCase,
  originalRange,
  removeAccents,
  removeSpaces,
  replaceAll,
  replaceText,
  type MappedText,
} from "./mapped-text.js";
import { findAll, parseLinesRule, parseTable, type Capture } from "./template-parsers.js";
import { toLineItems, toVatBreakdown, typedRows, type PlacedRow } from "./template-rows.js";
import type {
  GroupMode,
  InvoiceTemplate,
  Keyword,
  RegexFieldSpec,
  TemplateOptions,
  ValueType,
} from "./template-schema.js";
import { comparerFor, extractNumber, groupValues, sumDecimals, typedValue } from "./template-values.js";

/** A template's reading is strong evidence, but a template can still be wrong: never 1. */
export const TEMPLATE_CONFIDENCE = 0.95;
/** Several different values and no `group` to choose: the first is kept, with less confidence. */
const AMBIGUOUS_CONFIDENCE = 0.75;
/** A value the template states (static, issuer, options.currency) rather than reads. */
const STATED_CONFIDENCE = 0.9;

export interface TemplateResult extends ExtractionCandidates {
  /** The template's fields that have no Docket name (or whose value Docket could not read), as invoice2data outputs them. */
  extras: Record<string, unknown>;
}

export function keywordMatches(keyword: Keyword, text: string): boolean {
  return text.includes(keyword.source) || (keyword.regex !== null && keyword.regex.test(text));
}

/** The template for this document, or null: all keywords match, no exclude keyword does; by priority, then most keywords, then name. */
export function matchTemplate(templates: readonly InvoiceTemplate[], dt: DocumentText): InvoiceTemplate | null {
  let best: InvoiceTemplate | null = null;
  for (const t of templates) {
    if (!t.keywords.every((k) => keywordMatches(k, dt.text))) continue;
    if (t.excludeKeywords.some((k) => keywordMatches(k, dt.text))) continue;
    if (
      !best ||
      t.priority > best.priority ||
      (t.priority === best.priority &&
        (t.keywords.length > best.keywords.length ||
          (t.keywords.length === best.keywords.length && t.name < best.name)))
    )
      best = t;
  }
  return best;
}

/** The text the template's regexes run on (invoice2data's prepare_input), mapped back to the original. */
export function prepareText(options: TemplateOptions, text: string): MappedText {
  let mt = identityText(text);
  if (options.removeWhitespace) mt = removeSpaces(mt);
  if (options.removeAccents) mt = removeAccents(mt);
  if (options.lowercase) mt = lowerCase(mt);
  for (const r of options.replace) mt = replaceAll(mt, r);
  return mt;
}

export function hintsOf(options: TemplateOptions): NormalizeHints {
  return {
    ...(options.decimalSeparator ? { decimalSeparator: options.decimalSeparator } : {}),
    ...(options.dateFormats.length > 0 ? { dateFormats: options.dateFormats } : {}),
    ...(options.currency ? { currency: options.currency } : {}),
    ...(options.languages.length > 0 ? { languages: options.languages } : {}),
  };
}

/** A captured value: its text after the field's own `replace` / `extract_number`, and its original range. */
interface Value {
  text: string;
  start: number;
  end: number;
}

export function applyTemplate(t: InvoiceTemplate, dt: DocumentText): TemplateResult {
  return new TemplateApplication(t, dt).run();
}

class TemplateApplication {
  private readonly mt: MappedText;
  private readonly hints: NormalizeHints;
  private readonly fields: Fields = {};
  private readonly extras: Record<string, unknown> = {};
  private readonly parts = new Map<string, Value[]>();
  private lineItems: LineItem[] = [];
  private vatBreakdown: VatBreakdownRow[] = [];
  /** Options that make the matched text differ from the printed text (a name read without spaces). */
  private readonly rewritesText: boolean;

  constructor(
    private readonly t: InvoiceTemplate,
    private readonly dt: DocumentText,
  ) {
    this.mt = prepareText(t.options, dt.text);
    this.hints = hintsOf(t.options);
    this.rewritesText = t.options.removeWhitespace || t.options.removeAccents || t.options.lowercase;
  }

  run(): TemplateResult {
    for (const f of this.t.fields) {
      const spec = f.spec;
      switch (spec.parser) {
        case "regex": {
          // An area is read as printed: invoice2data does not apply the options to it.
          const mt = spec.area ? areaText(this.dt, spec.area) : this.mt;
          const captures = findAll(spec.regexes, mt.text);
          if (captures && captures.length > 0)
            this.take(
              f.name,
              captures.map((c) => this.value(c, spec, mt)),
              spec.type,
              spec.group,
            );
          break;
        }
        case "static":
          this.takeStated(f.name, spec.value, spec.type);
          break;
        case "lines": {
          const rows: PlacedRow[] = [];
          const mt = spec.area ? areaText(this.dt, spec.area) : this.mt;
          for (const rule of spec.rules) {
            for (const row of parseLinesRule(rule, mt.text)) {
              for (const [column, replacements] of Object.entries(rule.replace)) {
                const value = row.values[column];
                if (value !== undefined) row.values[column] = replacements.reduce((v, r) => replaceText(v, r), value);
              }
              rows.push({
                row,
                types: rule.types,
                source: this.sourceOfRanges(row.ranges.map((r) => originalRange(mt, r.start, r.end))),
              });
            }
          }
          if (rows.length === 0) break;
          this.extras[f.name] = typedRows(rows, this.hints);
          if (LINE_ITEM_FIELDS.has(f.name)) this.lineItems = toLineItems(rows, this.hints);
          else if (VAT_BREAKDOWN_FIELDS.has(f.name)) this.vatBreakdown = toVatBreakdown(rows, this.hints);
          break;
        }
      }
    }
    for (const table of this.t.tables) {
      for (const [name, captures] of parseTable(table, this.mt.text)) {
        const type: ValueType | null =
          name.startsWith("date") || name.endsWith("date")
            ? "date"
            : name.startsWith("amount")
              ? "float"
              : (table.types[name] ?? null);
        this.take(
          name,
          captures.map((c) => this.value(c, null, this.mt)),
          type,
          table.groups[name] ?? null,
        );
      }
    }
    this.fallbacks();
    return { fields: this.fields, line_items: this.lineItems, vat_breakdown: this.vatBreakdown, extras: this.extras };
  }

  /** A capture in `mt` as a value: its text after the field's `replace` and `extract_number`, its range in the document's text. */
  private value(c: Capture, spec: RegexFieldSpec | null, mt: MappedText): Value {
    let text = c.text;
    if (spec) {
      for (const r of spec.replace) text = replaceText(text, r);
      if (spec.extractNumber) text = extractNumber(text);
    }
    const range = originalRange(mt, c.start, c.end);
    return { text, start: range.start, end: range.end };
  }

  /** What a field's values become: a Docket field, or an extra (also when Docket cannot read the value). */
  private take(name: string, values: Value[], type: ValueType | null, group: GroupMode | null): void {
    const target = docketFieldFor(name);
    if ((SELLER_ADDRESS_PARTS as readonly string[]).includes(name)) this.parts.set(name, values);
    // Two template fields for one Docket field (`vat` and `vatin`): the first found fills it.
    if (target && !this.fields[target]) {
      const field = this.docketField(target, values, group);
      if (field) {
        this.fields[target] = field;
        return;
      }
      // Docket cannot read it as that field: keep the text as matched.
      const texts = [...new Set(values.map((v) => v.text).filter((t) => t.trim() !== ""))];
      if (texts.length > 0) this.extras[name] = texts.length === 1 ? texts[0] : texts;
      return;
    }
    const typed = values
      .map((v) => typedValue(v.text, type, this.hints))
      .filter((v): v is string | number => v !== null);
    let result: unknown = typed;
    if (group && typed.length > 0) {
      const numeric = typed.every((v) => typeof v === "number");
      result = groupValues(
        typed,
        group,
        (a, b) => (numeric ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0),
        (vs) => (numeric ? vs.reduce((a, b) => Number(a) + Number(b), 0) : vs[0]!),
      );
    }
    if (Array.isArray(result)) {
      const unique = [...new Set(result)];
      result = unique.length === 1 ? unique[0] : unique;
    }
    if (result !== null && !(Array.isArray(result) && result.length === 0)) this.extras[name] = result;
  }

  private takeStated(name: string, value: string, type: ValueType | null): void {
    if ((SELLER_ADDRESS_PARTS as readonly string[]).includes(name))
      this.parts.set(name, [{ text: value, start: 0, end: 0 }]);
    const target = docketFieldFor(name);
    if (target && !this.fields[target]) {
      const n = normalizeField(target, value, this.hints);
      if (n.ok) {
        this.fields[target] = {
          value: n.value,
          raw: value,
          confidence: STATED_CONFIDENCE,
          source: null,
          origin: "template",
        };
        return;
      }
    }
    this.extras[name] = typedValue(value, type, this.hints) ?? value;
  }

  /** The text Docket reads a value from: for names and addresses the printed words when options rewrote them. */
  private readable(target: FieldName, v: Value): string {
    if (this.rewritesText && FIELD_KINDS[target] === "text" && v.end > v.start)
      return collapseWhitespace(this.dt.text.slice(v.start, v.end));
    return v.text;
  }

  private raw(v: Value): string {
    const printed = v.end > v.start ? collapseWhitespace(this.dt.text.slice(v.start, v.end)) : "";
    return printed || v.text;
  }

  private docketField(target: FieldName, values: Value[], group: GroupMode | null): Field | null {
    const read = values
      .filter((v) => v.text.trim() !== "")
      .map((v) => ({ v, n: normalizeField(target, this.readable(target, v), this.hints) }))
      .flatMap(({ v, n }) => (n.ok ? [{ v, value: n.value }] : []));
    if (read.length === 0) return null;
    const field = (value: string, chosen: Value[], joiner: string, confidence = TEMPLATE_CONFIDENCE): Field => ({
      value,
      raw: chosen.map((v) => this.raw(v)).join(joiner),
      confidence,
      source: this.sourceOfRanges(chosen),
      origin: "template",
    });
    if (group === "sum" && FIELD_KINDS[target] === "amount") {
      return field(
        sumDecimals(read.map((r) => r.value)),
        read.map((r) => r.v),
        " + ",
      );
    }
    if (group === "join") {
      const joined = normalizeField(target, read.map((r) => this.readable(target, r.v)).join(" "), this.hints);
      return joined.ok
        ? field(
            joined.value,
            read.map((r) => r.v),
            " ",
          )
        : null;
    }
    if (group === "min" || group === "max") {
      const compare = comparerFor(target);
      const pick = read.reduce((a, b) => {
        const c = compare(b.value, a.value);
        return (group === "min" ? c < 0 : c > 0) ? b : a;
      });
      return field(pick.value, [pick.v], "");
    }
    if (group === "last") return field(read.at(-1)!.value, [read.at(-1)!.v], "");
    const first = read[0]!;
    const distinct = new Set(read.map((r) => r.value)).size;
    return field(
      first.value,
      [first.v],
      "",
      group === null && distinct > 1 ? AMBIGUOUS_CONFIDENCE : TEMPLATE_CONFIDENCE,
    );
  }

  /** The words of these ranges (of the original text) on the first one's page. */
  private sourceOfRanges(ranges: ReadonlyArray<{ start: number; end: number }>): FieldSource | null {
    let source: FieldSource | null = null;
    for (const r of ranges) {
      const s = sourceOf(this.dt, r.start, r.end);
      if (!s) continue;
      if (!source) source = s;
      else if (s.page === source.page) {
        const a: FieldSource["bbox"] = source.bbox;
        const b: FieldSource["bbox"] = s.bbox;
        source = {
          page: source.page,
          bbox: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])],
        };
      }
    }
    return source;
  }

  /** What invoice2data states without reading it: the issuer, the options' currency; and the address parts joined. */
  private fallbacks(): void {
    if (!this.fields.seller_name && this.t.issuer) {
      const n = normalizeField("seller_name", this.t.issuer, this.hints);
      const at = locateText(this.dt, this.t.issuer);
      if (n.ok)
        this.fields.seller_name = {
          value: n.value,
          raw: this.t.issuer,
          confidence: STATED_CONFIDENCE,
          source: at ? sourceOf(this.dt, at.start, at.end) : null,
          origin: "template",
        };
    }
    if (!this.fields.currency) {
      const symbol = this.extras[CURRENCY_SYMBOL_FIELD];
      const stated = this.t.options.currency ?? (typeof symbol === "string" ? symbol : null);
      const n = stated ? normalizeField("currency", stated, this.hints) : null;
      if (stated && n?.ok)
        this.fields.currency = {
          value: n.value,
          raw: stated,
          confidence: STATED_CONFIDENCE,
          source: null,
          origin: "template",
        };
    }
    if (!this.fields.seller_address && this.parts.size > 0) {
      const first = (name: string) => this.parts.get(name)?.find((v) => v.text.trim() !== "");
      const street = ["partner_street", "partner_street2", "partner_street3"]
        .map(first)
        .filter((v): v is Value => v !== undefined);
      const zip = first("partner_zip");
      const city = first("partner_city");
      const place = [zip, city].filter((v): v is Value => v !== undefined);
      const text = [...street.map((v) => v.text.trim()), place.map((v) => v.text.trim()).join(" ")]
        .filter(Boolean)
        .join(", ");
      const n = normalizeField("seller_address", text, this.hints);
      if (n.ok)
        this.fields.seller_address = {
          value: n.value,
          raw: text,
          confidence: TEMPLATE_CONFIDENCE,
          source: this.sourceOfRanges([...street, ...place]),
          origin: "template",
        };
    }
  }
}
