// Dates typed in parts (day, month, year, hour, minute), in the order a language writes them.

export type Part = "day" | "month" | "year" | "hour" | "minute";

/** Day, month and year in the order `locale` writes a date: day first in French. */
export function dateOrder(locale: string): Part[] {
  const order = new Intl.DateTimeFormat(locale, {
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  })
    .formatToParts(new Date(Date.UTC(2027, 2, 19)))
    .map((p) => p.type)
    .filter((t): t is "day" | "month" | "year" => t === "day" || t === "month" || t === "year");
  return order.length === 3 ? order : ["year", "month", "day"];
}

/** `2027-03-19` or `2027-03-19T18:00` in parts; empty parts for anything else. */
export function splitValue(v: string): Record<Part, string> {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(v);
  return {
    year: m?.[1] ?? "",
    month: m?.[2] ?? "",
    day: m?.[3] ?? "",
    hour: m?.[4] ?? "",
    minute: m?.[5] ?? "",
  };
}

/** The value the backend reads: empty when nothing is typed; the parts as typed otherwise
 *  (a one-digit day or month padded), so an incomplete date reaches the backend as such. */
export function joinParts(p: Record<Part, string>, time: boolean): string {
  const used: Part[] = time ? ["year", "month", "day", "hour", "minute"] : ["year", "month", "day"];
  if (used.every((k) => p[k] === "")) return "";
  const pad = (s: string) => (s.length === 1 ? `0${s}` : s);
  const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
  return time ? `${date}T${pad(p.hour)}:${pad(p.minute)}` : date;
}

/** The days from `back` days before `now` to `ahead` days after it, in `zone`'s calendar, as
 * date fields' values: a page's opening period. */
export function daysAround(now: number, back: number, ahead: number, zone: string) {
  const day = (ms: number) => wallClock(ms, zone).slice(0, 10);
  return { from: day(now - back * 86_400_000), to: day(now + ahead * 86_400_000) };
}

/** The wall-clock time `ms` shows in `zone`, as a date-time field's value (`2027-03-19T18:00`). */
export function wallClock(ms: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
