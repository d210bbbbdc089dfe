// Time arithmetic for the calendar views, always in an explicit IANA zone (the one the user
// picked), never in the machine's: days, wall-clock times, moving a window to another day or
// time, and the order of environment lanes.

import type { IcsNote } from "./bindings";
import { t } from "./i18n.svelte";
import type { MessageKey } from "./messages";
import { formErrors, type FormErrors } from "./problems";
import type { CalendarRelease, Occurrence } from "./types";

const MINUTE = 60_000;
export const DAY = 86_400_000;

/** Releases (and entries) a day of the month view draws; the backend sends that many releases
 * of each day and counts the rest. */
export const MONTH_CHIPS = 3;

const partsCache = new Map<string, Intl.DateTimeFormat>();
function parts(ms: number, tz: string): Record<string, number> {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsCache.set(tz, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== "literal") out[p.type] = +p.value;
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** "YYYY-MM-DD" of an instant in a zone. */
export function ymd(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${pad(p.year ?? 1970, 4)}-${pad(p.month ?? 1)}-${pad(p.day ?? 1)}`;
}

/** Wall-clock "YYYY-MM-DDTHH:MM" of an instant in a zone (the value of a datetime-local input). */
export function localInput(ms: number, tz: string): string {
  const p = parts(ms, tz);
  return `${ymd(ms, tz)}T${pad(p.hour ?? 0)}:${pad(p.minute ?? 0)}`;
}

/** Minutes since midnight of a wall-clock time ("YYYY-MM-DDTHH:MM"), as the backend gives them
 * in the zone shown: no asking the zone again. */
export function minuteOfLocal(local: string): number {
  return Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));
}

/** The days a span touches, from its wall-clock start and end ("YYYY-MM-DDTHH:MM", the end not
 * included): a span ending at midnight does not touch the day it ends on. At most `max`. */
export function localDays(start: string, end: string, max = 400): string[] {
  const first = start.slice(0, 10);
  let last = end.slice(0, 10);
  if (/^00:00(:00)?$/.test(end.slice(11)) && last > first) last = addDays(last, -1);
  const out: string[] = [];
  for (let d = first; out.length < max && d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Minutes since local midnight of an instant in a zone. */
export function minuteOfDay(ms: number, tz: string): number {
  const p = parts(ms, tz);
  return (p.hour ?? 0) * 60 + (p.minute ?? 0);
}

/** An instant moved to the nearest whole `step` minutes of the zone's wall clock (the hour in
 *  a zone half an hour off UTC is not UTC's). */
export function snapLocal(ms: number, tz: string, step = 60): number {
  const off = offsetMs(ms, tz);
  const unit = step * 60_000;
  return Math.round((ms + off) / unit) * unit - off;
}

/** How far a zone's wall clock is ahead of UTC at an instant, in milliseconds. */
export function offsetMs(ms: number, tz: string): number {
  const p = parts(ms, tz);
  const wall = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time ("YYYY-MM-DDTHH:MM") names in a zone. A time in the spring gap
 * is read with the offset before the gap (so it lands after the gap, as RFC 5545 says); a
 * repeated autumn time is the first of the two. */
export function zonedToUtc(local: string, tz: string): number {
  const wall = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  if (Number.isNaN(wall)) return NaN;
  const before = offsetMs(wall - DAY, tz);
  const after = offsetMs(wall + DAY, tz);
  // The larger offset gives the earlier instant: the first of a repeated time.
  for (const off of before >= after ? [before, after] : [after, before]) {
    const at = wall - off;
    if (offsetMs(at, tz) === off) return at;
  }
  return wall - before;
}

/** A date plus `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** Where a new entry was asked for: on a day (a double click, the New entry… button), over
 *  days drawn across in the month (from `day` to `other`, in either direction), or over the
 *  wall-clock times drawn in the week. */
export type NewAt =
  { day: string; other?: string } | { start: string; end: string; environments?: string[] };

/** The times a new entry's form opens with: an evening on a day asked, whole days over days
 *  drawn across (the day after the last at midnight ends it), the times drawn. */
export function newEntryTimes(at: NewAt): { start: string; end: string } {
  if ("start" in at) return { start: at.start, end: at.end };
  const { day, other = day } = at;
  if (other === day) return { start: `${day}T18:00`, end: `${day}T23:00` };
  const [first, last] = day < other ? [day, other] : [other, day];
  return { start: `${first}T00:00`, end: `${addDays(last, 1)}T00:00` };
}

/** Where a key takes the keyboard's day in a month grid of `count` days, weeks of seven from
 *  Monday: arrows a day or a week, Home and End the week's first and last day. The same index
 *  at an edge; null for a key that does not move. */
export function dayKey(key: string, i: number, count: number): number | null {
  const to = (() => {
    switch (key) {
      case "ArrowLeft":
        return i - 1;
      case "ArrowRight":
        return i + 1;
      case "ArrowUp":
        return i - 7;
      case "ArrowDown":
        return i + 7;
      case "Home":
        return i - (i % 7);
      case "End":
        return i - (i % 7) + 6;
      default:
        return null;
    }
  })();
  if (to === null) return null;
  return to >= 0 && to < count ? to : i;
}

/** A quarter-hour of a day in the week view: its day and its first minute. */
export type Slot = { day: string; minute: number };

/** The wall-clock span drawn from one quarter-hour to another, in either direction: from the
 *  first one's start to the last one's end. */
export function drawnSpan(a: Slot, b: Slot): { start: string; end: string } {
  const key = (s: Slot) => `${s.day}T${String(s.minute).padStart(4, "0")}`;
  const [first, last] = key(a) <= key(b) ? [a, b] : [b, a];
  const at = (day: string, minute: number) =>
    minute >= 24 * 60
      ? `${addDays(day, 1)}T00:00`
      : `${day}T${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
  return { start: at(first.day, first.minute), end: at(last.day, last.minute + 15) };
}

/** Where a key takes the week's keyboard quarter-hour among `days`: up and down a quarter-hour
 *  (Page Up and Page Down an hour) within the day, left and right a day at the same time, Home
 *  and End the week's first and last day. The same slot at an edge; null for a key that does
 *  not move. */
export function slotKey(key: string, at: Slot, days: string[]): Slot | null {
  const last = 24 * 60 - 15;
  const minute = (m: number) => ({ ...at, minute: Math.min(Math.max(m, 0), last) });
  const day = (i: number) => ({ ...at, day: days[Math.min(Math.max(i, 0), days.length - 1)]! });
  const i = days.indexOf(at.day);
  switch (key) {
    case "ArrowUp":
      return minute(at.minute - 15);
    case "ArrowDown":
      return minute(at.minute + 15);
    case "PageUp":
      return minute(at.minute - 60);
    case "PageDown":
      return minute(at.minute + 60);
    case "ArrowLeft":
      return day(i - 1);
    case "ArrowRight":
      return day(i + 1);
    case "Home":
      return day(0);
    case "End":
      return day(days.length - 1);
    default:
      return null;
  }
}

/** An hour on one of the timeline's lanes: the lane's index, the day, the hour from 0 to 23. */
export type LaneHour = { lane: number; day: string; hour: number };

/** Where a key takes the timeline's keyboard hour: left and right an hour (across midnight),
 *  Page Up and Page Down a day at the same hour, Home and End the week's first and last hour, up
 *  and down a lane at the same time. The same place at an edge; null for a key that does not
 *  move. */
export function laneKey(key: string, at: LaneHour, lanes: number, days: string[]): LaneHour | null {
  const i = days.indexOf(at.day);
  const [first, last] = [0, days.length * 24 - 1];
  const hour = (h: number) => {
    const n = Math.min(Math.max(h, first), last);
    return { ...at, day: days[Math.floor(n / 24)]!, hour: n % 24 };
  };
  switch (key) {
    case "ArrowLeft":
      return hour(i * 24 + at.hour - 1);
    case "ArrowRight":
      return hour(i * 24 + at.hour + 1);
    case "PageUp":
      return i > 0 ? hour((i - 1) * 24 + at.hour) : at;
    case "PageDown":
      return i < days.length - 1 ? hour((i + 1) * 24 + at.hour) : at;
    case "Home":
      return hour(first);
    case "End":
      return hour(last);
    case "ArrowUp":
      return { ...at, lane: Math.max(at.lane - 1, 0) };
    case "ArrowDown":
      return { ...at, lane: Math.min(at.lane + 1, Math.max(lanes - 1, 0)) };
    default:
      return null;
  }
}

/** The wall-clock span of the hours from one timeline hour to another, in either direction:
 *  from the first one's start to the last one's end. */
export function hoursSpan(a: LaneHour, b: LaneHour): { start: string; end: string } {
  const key = (x: LaneHour) => `${x.day}T${String(x.hour).padStart(2, "0")}`;
  const [first, last] = key(a) <= key(b) ? [a, b] : [b, a];
  return drawnSpan(
    { day: first.day, minute: first.hour * 60 },
    { day: last.day, minute: last.hour * 60 + 45 },
  );
}

/** The Monday on or before a date. */
export function mondayOf(day: string): string {
  const wd = new Date(`${day}T12:00:00Z`).getUTCDay();
  return addDays(day, -((wd + 6) % 7));
}

/** The calendar's views: six weeks around a month, a week, a week's lanes. */
export type View = "month" | "week" | "timeline";

/** The days `view` shows around `anchor` (a day in the period): the six weeks from the Monday
 * on or before the month's first, or the week from its Monday. */
export function daysShown(view: View, anchor: string): string[] {
  const first = view === "month" ? mondayOf(`${anchor.slice(0, 7)}-01`) : mondayOf(anchor);
  return Array.from({ length: view === "month" ? 42 : 7 }, (_, i) => addDays(first, i));
}

/** The day in view after `by` steps of `view`: months (to the first of the month) or weeks. */
export function stepped(view: View, anchor: string, by: number): string {
  if (view !== "month") return addDays(anchor, 7 * by);
  const [y = 1970, m = 1] = anchor.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1 + by, 1)).toISOString().slice(0, 10);
}

/** What a view asks the backend for: its days, as `[from, until)`, and how many releases of a
 * day it draws (a month a few, the others all). */
export type Period = { from: string; until: string; perDay: number | null };

/** The period `view` shows around `anchor`; the week and the timeline show the same. */
export function periodShown(view: View, anchor: string): Period {
  const days = daysShown(view, anchor);
  const from = days[0] ?? "";
  const until = addDays(days[days.length - 1] ?? from, 1);
  return { from, until, perDay: view === "month" ? MONTH_CHIPS : null };
}

/** The periods a user may ask next from `view` around `anchor`: the one before and the one after,
 * and the other kind of view of the day in view (the week in a month, the month in a week). */
export function periodsNear(view: View, anchor: string) {
  const other: View = view === "month" ? "week" : "month";
  return [
    periodShown(view, stepped(view, anchor, 1)),
    periodShown(view, stepped(view, anchor, -1)),
    periodShown(other, anchor),
  ];
}

/** Local midnight of a date in a zone, as an instant. */
export function startOfDay(day: string, tz: string): number {
  return zonedToUtc(`${day}T00:00`, tz);
}

/** A window moved to another day, keeping its wall-clock start time and its length. */
export function moveToDay(start: number, end: number, day: string, tz: string): [number, number] {
  const m = minuteOfDay(start, tz);
  const s = zonedToUtc(`${day}T${pad(Math.floor(m / 60))}:${pad(m % 60)}`, tz);
  return [s, s + (end - start)];
}

/** Rounded to the nearest `step` minutes. */
export function snap(ms: number, step = 15): number {
  const q = step * MINUTE;
  return Math.round(ms / q) * q;
}

/** RFC 3339 in UTC without milliseconds, as the backend writes instants. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Environment lanes in promotion order: each release lists its environments in that order, so
 * an environment's average position across releases orders it; then any from calendar scopes. */
export function laneOrder(lists: string[][], extra: string[] = []): string[] {
  const seen = new Map<string, { sum: number; n: number }>();
  for (const list of lists)
    list.forEach((env, i) => {
      const s = seen.get(env) ?? { sum: 0, n: 0 };
      s.sum += list.length > 1 ? i / (list.length - 1) : 1;
      s.n += 1;
      seen.set(env, s);
    });
  const ranked = [...seen.entries()]
    .map(([env, s]) => ({ env, rank: s.sum / s.n }))
    .sort((a, b) => a.rank - b.rank || a.env.localeCompare(b.env))
    .map((x) => x.env);
  return [...ranked, ...[...new Set(extra)].filter((e) => !seen.has(e)).sort()];
}

/** A timeline's lanes: the environments the policy names, in its (promotion) order, then the
 *  others in use in the order `laneOrder` gives them. */
export function lanesOf(named: string[], lists: string[][], extra: string[] = []): string[] {
  const own = new Set(named);
  return [...named, ...laneOrder(lists, extra).filter((e) => !own.has(e))];
}

/** Side-by-side columns for overlapping intervals: each item's column and how many share it. */
export function columns(
  items: { start: number; end: number }[],
): { col: number; of: number; group: number }[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.start - items[b]!.start);
  const out = items.map(() => ({ col: 0, of: 1, group: 0 }));
  let group: number[] = [];
  let ends: number[] = [];
  let groupEnd = -Infinity;
  let groups = 0;
  const close = () => {
    for (const i of group) Object.assign(out[i]!, { of: ends.length, group: groups });
    if (group.length) groups++;
    group = [];
    ends = [];
  };
  for (const i of order) {
    const it = items[i]!;
    if (it.start >= groupEnd) close();
    let col = ends.findIndex((e) => e <= it.start);
    if (col < 0) col = ends.push(it.end) - 1;
    else ends[col] = it.end;
    out[i]!.col = col;
    group.push(i);
    groupEnd = Math.max(groupEnd, it.end);
  }
  close();
  return out;
}

/** Where a timeline bar's label goes, and the stretch (in ms) the bar and its label take
 *  together. The label follows the bar; where it would run past the end of the track, it goes
 *  before the bar if there is more room there, so labels near the end of the week stay on the
 *  timeline instead of spilling over what is beside it. */
export function labelPlace(
  bar: { start: number; end: number },
  label: number,
  track: { from: number; to: number },
): { before: boolean; start: number; end: number } {
  const fitsAfter = bar.end + label <= track.to;
  const before = !fitsAfter && bar.start - track.from > track.to - bar.end;
  return before
    ? { before, start: bar.start - label, end: bar.end }
    : { before, start: bar.start, end: bar.end + label };
}

/** Items placed by `columns` split for a view that draws `max` of them side by side at most:
 *  a group (items overlapping one another) with more draws its first `max - 1` and counts the
 *  rest, listed by group in the order given. */
export function crowded<T extends { col: number; of: number; group: number }>(
  placed: T[],
  max: number,
): { shown: T[]; more: { group: number; items: T[] }[] } {
  const shown: T[] = [];
  const more = new Map<number, T[]>();
  for (const x of placed) {
    if (x.of <= max || x.col < max - 1) shown.push(x);
    else {
      const items = more.get(x.group) ?? [];
      items.push(x);
      more.set(x.group, items);
    }
  }
  return { shown, more: [...more].map(([group, items]) => ({ group, items })) };
}

/** What the details panel shows: an entry, a release, or the releases a crowded hour of the
 *  week view holds beyond what it draws. */
export type Picked =
  | { kind: "entry"; o: Occurrence }
  | { kind: "release"; r: CalendarRelease }
  | { kind: "releases"; rs: CalendarRelease[] };

/** What every calendar view is given. */
export type ViewProps = {
  /** The month shown ("YYYY-MM"), for the month view. */
  month: string;
  /** The days shown, "YYYY-MM-DD". */
  days: string[];
  zone: string;
  occurrences: Occurrence[];
  /** The releases drawn (in the month, the first few of each day). */
  releases: CalendarRelease[];
  /** How many releases touch each day ("YYYY-MM-DD") that has any. */
  perDay: Record<string, number>;
  /** The environments the policy names (the timeline's lanes besides those in use). */
  environments?: string[];
  /** Releases with an error conflict. */
  conflicted: Set<string>;
  /** Whether this member may move the release. */
  movable: (r: CalendarRelease) => boolean;
  onpick: (p: Picked) => void;
  onmove: (r: CalendarRelease, start: number, end: number) => void;
  /** A new entry asked for, for those who may: on a day (a double click on its free space), or
   *  over days or times drawn across (a press on free space, dragged; on a timeline's lane, for
   *  its environment). */
  onnew?: (at: NewAt) => void;
};

/** The look of an occurrence: hard freeze, soft freeze or window. */
export function tone(o: { kind: string; level?: string | null }): "hard" | "soft" | "window" {
  if (o.kind === "window") return "window";
  return o.level === "soft" ? "soft" : "hard";
}

/** How an entry repeats, as the entry form offers it: the rules it writes, or one typed in. */
export type Repeat = "once" | "daily" | "weekly" | "weekdays" | "monthly" | "yearly" | "custom";
const RULES: Record<Exclude<Repeat, "once" | "custom">, string> = {
  daily: "FREQ=DAILY",
  // Without BYDAY, a weekly rule repeats on the start's weekday (RFC 5545).
  weekly: "FREQ=WEEKLY",
  weekdays: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
  monthly: "FREQ=MONTHLY",
  yearly: "FREQ=YEARLY",
};

/** The RFC 5545 rule of a repeat chosen in the form (`null` for once): `custom` is the rule as
 *  typed, the others end after the day `until` (`2027-06-30`, in the entry's zone) when one is
 *  given. */
export function ruleOf(repeat: Repeat, until: string, custom: string): string | null {
  if (repeat === "once") return null;
  if (repeat === "custom") return custom.trim() || null;
  const end = /^\d{4}-\d\d-\d\d$/.test(until) ? `;UNTIL=${until.replaceAll("-", "")}T235959` : "";
  return RULES[repeat] + end;
}

/** The form's repeat for a stored rule: one of its own (with its last day), else `custom`. */
export function repeatOf(rule: string | null | undefined): {
  repeat: Repeat;
  until: string;
  custom: string;
} {
  if (!rule) return { repeat: "once", until: "", custom: "" };
  const m = /^(.*?)(?:;UNTIL=(\d{4})(\d\d)(\d\d)T235959)?$/.exec(rule.trim());
  const found = (Object.keys(RULES) as (keyof typeof RULES)[]).find((k) => RULES[k] === m?.[1]);
  if (found && m)
    return { repeat: found, until: m[2] ? `${m[2]}-${m[3]}-${m[4]}` : "", custom: "" };
  return { repeat: "custom", until: "", custom: rule };
}

/** The names of a scope field ("prod, staging"): trimmed, empty ones left out. */
export function scopeNames(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A calendar form's field for what the backend names a problem's field: a scope's item by the
 *  list's singular (`environment`), a freeze's level by its kind. */
export function entryField(field: string): string {
  return { environment: "environments", service: "services", level: "kind" }[field] ?? field;
}

/** A calendar form's errors (`formErrors`), each beside the form's field it is about. */
export function entryErrors(e: unknown, values: object, scope: string): FormErrors {
  const shown = formErrors(e, (f) => entryField(f) in values, scope);
  const fields = Object.entries(shown.fields).map(([f, m]) => [entryField(f), m]);
  return { fields: Object.fromEntries(fields), general: shown.general };
}

/** How an import read its file where it needed a choice, in the UI's language, at its line. The
 *  file's own words (END:VTODO, STATUS:CANCELLED) are quoted as the file has them. */
export function importNoteText(n: IcsNote): string {
  const p = n.params;
  const text = t(`entry.note.${n.code}` as MessageKey, {
    ...p,
    count: Number(p.count ?? 0),
    end: `END:${p.what ?? ""}`,
    endAs: `END:${p.name ?? ""}`,
    beginTag: `BEGIN:${p.name ?? ""}`,
    status: "STATUS:CANCELLED",
  });
  return n.line === undefined ? text : t("entry.noteLine", { line: n.line, text });
}
