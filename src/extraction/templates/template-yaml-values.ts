/**
 * Reading the failsafe YAML's raw values: every scalar is text as the author wrote it, and
 * these read it as PyYAML would (null words, yes/no booleans, numbers), or throw a
 * TemplateProblem naming where in the template the value was.
 */

export type Raw = string | Raw[] | { [key: string]: Raw } | null;
export type RawMap = { [key: string]: Raw };

/** A problem with the template's content; parseTemplate turns it into a validation error. */
export class TemplateProblem extends Error {}

export function isMap(v: unknown): v is RawMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Failsafe YAML reads `~`, `null` and an empty value as text: they mean "not set". */
export function isNull(v: Raw | undefined): boolean {
  return v === undefined || v === null || (typeof v === "string" && /^(|~|null|Null|NULL)$/.test(v));
}

export function asMap(v: Raw, where: string): RawMap {
  if (!isMap(v)) throw new TemplateProblem(`${where} must be a mapping`);
  return v;
}

export function asList(v: Raw, where: string): Raw[] {
  if (!Array.isArray(v)) throw new TemplateProblem(`${where} must be a list`);
  return v;
}

export function scalar(v: Raw | undefined, where: string): string | null {
  if (isNull(v)) return null;
  if (typeof v !== "string") throw new TemplateProblem(`${where} must be a single value`);
  return v;
}

/** A static value: text as written (an empty value is the empty string, not "absent"). */
export function scalarText(v: Raw | undefined, where: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new TemplateProblem(`${where} must be a single value`);
  return v;
}

export function required(v: Raw | undefined, where: string): string {
  const s = scalar(v, where);
  if (s === null) throw new TemplateProblem(`${where} is required`);
  return s;
}

export function stringList(v: Raw | undefined, where: string): string[] {
  if (isNull(v)) return [];
  if (typeof v === "string") return [v];
  return asList(v!, where).map((x, i) => {
    if (typeof x !== "string") throw new TemplateProblem(`${where}[${i}] must be text`);
    return x;
  });
}

export function boolean(v: Raw | undefined, where: string): boolean {
  const s = scalar(v, where);
  if (s === null) return false;
  if (/^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(s)) return true;
  if (/^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(s)) return false;
  throw new TemplateProblem(`${where} must be true or false, not "${s}"`);
}

export function number(v: Raw | undefined, where: string): number | null {
  const s = scalar(v, where);
  if (s === null) return null;
  const n = Number(s.trim());
  if (s.trim() === "" || !Number.isFinite(n)) throw new TemplateProblem(`${where} must be a number, not "${s}"`);
  return n;
}
