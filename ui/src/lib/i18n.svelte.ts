// The UI's language (English or French), its messages and locale-aware formatting.

import { en, fr, type MessageKey } from "./messages";

export type Locale = "en" | "fr";
const catalogs: Record<Locale, Record<MessageKey, string>> = { en, fr };

/** The OS language when the user has not chosen one. */
export function osLocale(): Locale {
  return globalThis.navigator?.language?.startsWith("fr") ? "fr" : "en";
}

export const i18n = $state({ locale: osLocale() as Locale });

/** Show the UI in `l` (the caller saves the choice with the backend). */
export function setLocale(l: Locale): void {
  i18n.locale = l;
  if (globalThis.document) document.documentElement.lang = l;
}

/** The message for `key`, with `{name}` placeholders filled from `params`, and plurals
 *  chosen by the language's rules (`Intl.PluralRules`), written as in ICU MessageFormat:
 *  `{count, plural, one {# field} other {# fields}}` (`#` is the number). */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = catalogs[i18n.locale][key] ?? en[key] ?? key;
  return text
    .replace(PLURAL, (_, p: string, cases: string) => plural(cases, Number(params[p] ?? 0)))
    .replace(/\{(\w+)\}/g, (_, p: string) =>
      p in params ? formatValue(params[p] as string | number) : `{${p}}`,
    );
}

// A case's text may hold placeholders (`{checked}`), filled afterwards.
const CASE = String.raw`([=\w]+) \{((?:[^{}]|\{\w+\})*)\}`;
const PLURAL = new RegExp(String.raw`\{(\w+), plural, ((?:${CASE}\s*)+)\}`, "g");

/** The case of `cases` (`one {…} other {…}`, `=0 {…}`) for `n` in the UI's language. */
function plural(cases: string, n: number): string {
  const found = new Map([...cases.matchAll(new RegExp(CASE, "g"))].map((m) => [m[1], m[2]]));
  const chosen =
    found.get(`=${n}`) ??
    found.get(kept("plural", {}, () => new Intl.PluralRules(i18n.locale)).select(n)) ??
    found.get("other") ??
    "";
  return chosen.replace(/#/g, formatNumber(n));
}

function formatValue(v: string | number): string {
  return typeof v === "number" ? formatNumber(v) : v;
}

export function formatNumber(n: number): string {
  return kept("number", {}, () => new Intl.NumberFormat(i18n.locale)).format(n);
}

/** A share (0.25) as a percentage in the UI's language, whole: "25%", "25 %". */
export function formatPercent(share: number): string {
  return kept(
    "percent",
    {},
    () => new Intl.NumberFormat(i18n.locale, { style: "percent", maximumFractionDigits: 0 }),
  ).format(share);
}

/** Formatters made once for each language and set of options: making one costs far more than
 *  using it, and a page of a few hundred rows formats a thousand times. */
const formatters = new Map<string, unknown>();
function kept<T>(kind: string, options: object, make: () => T): T {
  const key = `${kind} ${i18n.locale} ${JSON.stringify(options)}`;
  let f = formatters.get(key) as T | undefined;
  if (f === undefined) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

/** A span of time as people say it, in the UI's language: seconds under a minute, minutes
 *  under two hours, hours under two days, then days ("3 hours", "3 heures"). */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const [n, unit] =
    minutes < 1
      ? [Math.max(1, Math.floor(ms / 1000)), "second"]
      : minutes < 120
        ? [minutes, "minute"]
        : minutes < 2880
          ? [Math.floor(minutes / 60), "hour"]
          : [Math.floor(minutes / 1440), "day"];
  const options = { style: "unit", unit, unitDisplay: "long" } as const;
  return kept("number", options, () => new Intl.NumberFormat(i18n.locale, options)).format(n);
}

/** A date-time formatter in the UI's language. */
export function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return kept("date", options, () => new Intl.DateTimeFormat(i18n.locale, options));
}

/** The zone this computer shows times in (an IANA name). */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** `iso` formatted with `options` in the UI's language, in `timeZone` (the user's by default);
 *  "—" for none, the text itself when it is not a time. */
function formatWith(
  iso: string | null | undefined,
  options: Intl.DateTimeFormatOptions,
  timeZone?: string,
): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateFormat({ ...options, ...(timeZone ? { timeZone } : {}) }).format(d);
}

/** The time of day, naming its zone. */
const CLOCK: Intl.DateTimeFormatOptions = {
  hour: "numeric",
  minute: "2-digit",
  timeZoneName: "short",
};

/** A date-time naming its zone, in the user's zone or `timeZone`, e.g. "Mar 19, 2027, 6:00 PM
 *  GMT+1" / "19 mars 2027, 18:00 UTC+1". Every time on screen says its zone. */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  return formatWith(iso, { year: "numeric", month: "short", day: "numeric", ...CLOCK }, timeZone);
}

/** A compact date-time for tables, naming its zone, e.g. "1/18/27, 7:00 PM UTC" /
 *  "18/01/2027 19:00 UTC". */
export function formatShort(iso: string | null | undefined, timeZone?: string): string {
  return formatWith(iso, { year: "2-digit", month: "numeric", day: "numeric", ...CLOCK }, timeZone);
}

/** A span of time from `start` to `end` (ms) in `timeZone`, naming it once: "Tue, Dec 1, 10:15
 *  AM – 12:15 PM GMT+1" / "mar. 1 déc., 10:15 – 12:15 UTC+1". */
export function formatSpan(start: number, end: number, timeZone: string): string {
  return dateFormat({
    weekday: "short",
    month: "short",
    day: "numeric",
    ...CLOCK,
    timeZone,
  }).formatRange(new Date(start), new Date(end));
}

/** A planned window with its date and year, in its own zone, naming it: "Dec 8, 2026, 2:00 –
 *  3:00 PM GMT+8" / "8 déc. 2026, 14:00 – 15:00 UTC+8". */
export function formatWindow(start: number, end: number, timeZone: string): string {
  return dateFormat({
    year: "numeric",
    month: "short",
    day: "numeric",
    ...CLOCK,
    timeZone,
  }).formatRange(new Date(start), new Date(end));
}

/** How far `iso` is from `now`, in words: "in 29 days", "dans 29 jours", "il y a 3 heures". */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return "";
  const ms = Date.parse(iso) - now;
  if (Number.isNaN(ms)) return "";
  const f = kept(
    "relative",
    {},
    () => new Intl.RelativeTimeFormat(i18n.locale, { numeric: "auto" }),
  );
  const minutes = Math.round(ms / 60000);
  if (Math.abs(minutes) < 60) return f.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return f.format(hours, "hour");
  const days = Math.round(hours / 24);
  if (Math.abs(days) < 14) return f.format(days, "day");
  return f.format(Math.round(days / 7), "week");
}

export function formatDate(iso: string | null | undefined): string {
  return formatWith(iso, { dateStyle: "medium" });
}

/** A calendar day (`2027-03-31`, no time, no zone) as the reader writes dates: "31 mars 2027". */
export function formatDay(ymd: string | null | undefined): string {
  if (!ymd || !/^\d{4}-\d\d-\d\d$/.test(ymd)) return ymd || "—";
  return formatWith(`${ymd}T12:00:00Z`, { dateStyle: "medium" }, "UTC");
}
