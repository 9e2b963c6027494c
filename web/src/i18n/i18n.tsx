import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { DocumentStatus, StepStatus } from "../api/types";
import { en, type MessageKey } from "./en";
import { pl } from "./pl";

export const LANGUAGES = [
  { code: "en", label: "English", short: "EN" },
  { code: "pl", label: "Polski", short: "PL" },
] as const;
export type Lang = (typeof LANGUAGES)[number]["code"];

const DICTIONARIES: Record<Lang, Partial<Record<string, string>>> = { en, pl };
const STORAGE_KEY = "docket.lang";

type Params = Record<string, string | number>;

export interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, params?: Params): string;
  /** A translation looked up by a computed key; undefined when there is none. */
  maybe(key: string, params?: Params): string | undefined;
  /** Plural form of `key` (`key_one`, `key_few`…) chosen for `count`; `{count}` is set. */
  tc(key: string, count: number, params?: Params): string;
  status(status: DocumentStatus): string;
  stepStatus(status: StepStatus): string;
  phase(phase: string | null): string;
  /** A server message in this language when its form is known (else as the server wrote it). */
  message(message: string | null): string;
  bytes(n: number): string;
  /** A duration as a clock: 0:07, 1:05, 1:02:03. */
  clock(ms: number): string;
  /** A duration in words: 850 ms, 12.4 s, 3 min 5 s. */
  duration(ms: number): string;
  dateTime(iso: string): string;
  time(iso: string): string;
  relative(iso: string): string;
  number(n: number, digits?: number): string;
}

function interpolate(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === "en" || stored === "pl") return stored;
  return navigator.language.toLowerCase().startsWith("pl") ? "pl" : "en";
}

function makeI18n(lang: Lang, setLang: (lang: Lang) => void): I18n {
  const dict = DICTIONARIES[lang];
  const plural = new Intl.PluralRules(lang);
  const t = (key: MessageKey, params?: Params) => interpolate(dict[key] ?? en[key] ?? key, params);
  const lookup = (key: string) => dict[key] ?? (en as Partial<Record<string, string>>)[key];
  const tc = (key: string, count: number, params?: Params) => {
    const form = plural.select(count);
    const text = lookup(`${key}_${form}`) ?? lookup(`${key}_other`) ?? key;
    return interpolate(text, { count: new Intl.NumberFormat(lang).format(count), ...params });
  };
  const phase = (name: string | null) => {
    if (!name) return "—";
    if (name.startsWith("deliver:")) return t("phase.deliver", { dest: name.slice("deliver:".length) });
    return lookup(`phase.${name}`) ?? name;
  };
  const numberFormat = (digits: number) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  const relativeFormat = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  const dateTimeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });
  const timeFormat = new Intl.DateTimeFormat(lang, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const messages: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^page (\d+) of (\d+)$/i, (m) => t("msg.page", { k: m[1]!, n: m[2]! })],
    [/^reading the text layer: page (\d+) of (\d+)$/, (m) => t("msg.readingTextLayer", { k: m[1]!, n: m[2]! })],
    [/^inspecting the file$/, () => t("msg.inspecting")],
    [/^(\d+) pages? \((\w+)\)$/, (m) => t("msg.inspected", { n: m[1]!, kind: m[2]! })],
    [
      /^recognised (\d+) page\(s\), mean confidence ([\d.]+)$/,
      (m) => t("msg.recognisedConfidence", { n: m[1]!, c: m[2]! }),
    ],
    [/^recognised (\d+) page\(s\)$/, (m) => t("msg.recognised", { n: m[1]! })],
    [/^no page needs OCR$/, () => t("msg.noOcr")],
    [/^(\d+) page image\(s\) at (\d+) dpi$/, (m) => t("msg.pageImages", { n: m[1]!, dpi: m[2]! })],
    [
      /^(\d+) page\(s\) with a usable text layer, (\d+) to OCR$/,
      (m) => t("msg.textLayerSummary", { text: m[1]!, ocr: m[2]! }),
    ],
    [/^(\d+) page\(s\), (\d+) words$/, (m) => t("msg.assembled", { n: m[1]!, words: m[2]! })],
    [/^wrote (.+)$/, (m) => t("msg.wrote", { formats: m[1]! })],
    [
      /^Attempt (\d+) failed(?:: (.*))?; attempt (\d+) of (\d+) (?:in (\d+) s|waiting for a worker)$/s,
      (m) =>
        t("msg.attemptFailed", {
          a: m[1]!,
          error: m[2] ? `: ${m[2]}` : "",
          next: m[3]!,
          max: m[4]!,
          when: m[5] ? t("msg.inSeconds", { s: m[5] }) : t("msg.waiting"),
        }),
    ],
    [/^Waiting for a worker$/i, () => t("msg.waiting")],
    [/^writing (\w+)$/i, (m) => t("msg.writing", { format: m[1]! })],
    [/^Cancelling…$/, () => t("msg.cancelling")],
    [/^Completed$/, () => t("msg.completed")],
    [/^Cancelled$/, () => t("msg.cancelled")],
    [/^Cancel requested$/, () => t("msg.cancelRequested")],
    [/^Started (\S+)$/, (m) => t("msg.started", { phase: phase(m[1]!) })],
    [/^Running (\S+)$/, (m) => phase(m[1]!)],
    [/^Will run again$/, () => t("msg.willRunAgain")],
    [/^Uploaded; not submitted for processing$/, () => t("msg.notSubmitted")],
  ];
  return {
    lang,
    setLang,
    t,
    tc,
    maybe: (key, params) => {
      const text = lookup(key);
      return text === undefined ? undefined : interpolate(text, params);
    },
    status: (s) => t(`status.${s}` as MessageKey),
    stepStatus: (s) => t(`step.${s}` as MessageKey),
    phase,
    message: (text) => {
      if (!text) return "";
      for (const [pattern, render] of messages) {
        const m = pattern.exec(text);
        if (m) return render(m);
      }
      return text;
    },
    bytes: (n) => {
      const units = ["B", "KB", "MB", "GB"];
      let value = n;
      let unit = 0;
      while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
      }
      return `${numberFormat(unit === 0 || value >= 100 ? 0 : 1).format(value)} ${units[unit]}`;
    },
    clock: (ms) => {
      const total = Math.max(0, Math.floor(ms / 1000));
      const h = Math.floor(total / 3600);
      const m = Math.floor((total % 3600) / 60);
      const s = total % 60;
      const pad = (v: number) => String(v).padStart(2, "0");
      return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
    },
    duration: (ms) => {
      if (ms < 1000) return `${Math.round(ms)} ms`;
      if (ms < 60_000) return `${numberFormat(1).format(ms / 1000)} s`;
      const minutes = Math.floor(ms / 60_000);
      const seconds = Math.round((ms % 60_000) / 1000);
      if (minutes < 60) return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
      return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
    },
    dateTime: (iso) => dateTimeFormat.format(new Date(iso)),
    time: (iso) => timeFormat.format(new Date(iso)),
    relative: (iso) => {
      const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
      const abs = Math.abs(seconds);
      if (abs < 45) return t("common.justNow");
      if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), "minute");
      if (abs < 86_400) return relativeFormat.format(Math.round(seconds / 3600), "hour");
      if (abs < 7 * 86_400) return relativeFormat.format(Math.round(seconds / 86_400), "day");
      return dateTimeFormat.format(new Date(iso));
    },
    number: (n, digits = 0) => numberFormat(digits).format(n),
  };
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n outside I18nProvider");
  return i18n;
}
