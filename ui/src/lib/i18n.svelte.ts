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
    found.get(new Intl.PluralRules(i18n.locale).select(n)) ??
    found.get("other") ??
    "";
  return chosen.replace(/#/g, formatNumber(n));
}

function formatValue(v: string | number): string {
  return typeof v === "number" ? formatNumber(v) : v;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(i18n.locale).format(n);
}

/** A date-time in the user's zone, e.g. "19 Mar 2027, 18:00" / "19 mars 2027, 18:00". */
export function formatDateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(i18n.locale, {
    dateStyle: "medium",
    timeStyle: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
}

/** A compact date-time for tables, e.g. "1/18/27, 7:00 PM" / "18/01/2027 19:00". */
export function formatShort(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "short", timeStyle: "short" }).format(d);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium" }).format(d);
}
