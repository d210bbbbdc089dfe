import { describe, expect, it } from "vitest";
import { setLocale } from "./i18n.svelte";
import { en, fr } from "./messages";
import {
  addDays,
  columns,
  crowded,
  labelPlace,
  daysShown,
  drawnSpan,
  importNoteText,
  isoUtc,
  laneOrder,
  lanesOf,
  localDays,
  localInput,
  minuteOfDay,
  minuteOfLocal,
  mondayOf,
  moveToDay,
  newEntryTimes,
  dayKey,
  hoursSpan,
  laneKey,
  periodShown,
  periodsNear,
  repeatOf,
  ruleOf,
  snap,
  slotKey,
  snapLocal,
  startOfDay,
  stepped,
  ymd,
  zonedToUtc,
} from "./calendar";

const at = (iso: string) => Date.parse(iso);

describe("the keyboard's day in the month grid", () => {
  it("goes a day or a week with the arrows, to the week's ends with Home and End", () => {
    // Six weeks of seven: index 15 is the third week's Tuesday.
    expect(dayKey("ArrowRight", 15, 42)).toBe(16);
    expect(dayKey("ArrowLeft", 15, 42)).toBe(14);
    expect(dayKey("ArrowDown", 15, 42)).toBe(22);
    expect(dayKey("ArrowUp", 15, 42)).toBe(8);
    expect(dayKey("Home", 15, 42)).toBe(14);
    expect(dayKey("End", 15, 42)).toBe(20);
  });
  it("stays at the grid's edges, and leaves other keys alone", () => {
    expect(dayKey("ArrowLeft", 0, 42)).toBe(0);
    expect(dayKey("ArrowUp", 3, 42)).toBe(3);
    expect(dayKey("ArrowDown", 40, 42)).toBe(40);
    expect(dayKey("ArrowRight", 41, 42)).toBe(41);
    expect(dayKey("Enter", 15, 42)).toBeNull();
    expect(dayKey("a", 15, 42)).toBeNull();
  });
});

describe("the keyboard's quarter-hour in the week", () => {
  const week = Array.from({ length: 7 }, (_, i) => addDays("2027-03-15", i));
  const tue9 = { day: "2027-03-16", minute: 9 * 60 };
  it("goes a quarter-hour or an hour up and down, a day sideways, to the week's ends", () => {
    expect(slotKey("ArrowDown", tue9, week)).toEqual({ day: "2027-03-16", minute: 555 });
    expect(slotKey("ArrowUp", tue9, week)).toEqual({ day: "2027-03-16", minute: 525 });
    expect(slotKey("PageDown", tue9, week)).toEqual({ day: "2027-03-16", minute: 600 });
    expect(slotKey("PageUp", tue9, week)).toEqual({ day: "2027-03-16", minute: 480 });
    expect(slotKey("ArrowRight", tue9, week)).toEqual({ day: "2027-03-17", minute: 540 });
    expect(slotKey("ArrowLeft", tue9, week)).toEqual({ day: "2027-03-15", minute: 540 });
    expect(slotKey("Home", tue9, week)).toEqual({ day: "2027-03-15", minute: 540 });
    expect(slotKey("End", tue9, week)).toEqual({ day: "2027-03-21", minute: 540 });
  });
  it("stays within the day and the week, and leaves other keys alone", () => {
    expect(slotKey("ArrowUp", { day: "2027-03-15", minute: 0 }, week)?.minute).toBe(0);
    expect(slotKey("PageUp", { day: "2027-03-15", minute: 30 }, week)?.minute).toBe(0);
    expect(slotKey("ArrowDown", { day: "2027-03-15", minute: 1425 }, week)?.minute).toBe(1425);
    expect(slotKey("PageDown", { day: "2027-03-15", minute: 1410 }, week)?.minute).toBe(1425);
    expect(slotKey("ArrowLeft", { day: "2027-03-15", minute: 60 }, week)?.day).toBe("2027-03-15");
    expect(slotKey("ArrowRight", { day: "2027-03-21", minute: 60 }, week)?.day).toBe("2027-03-21");
    expect(slotKey("Enter", tue9, week)).toBeNull();
    expect(slotKey("x", tue9, week)).toBeNull();
  });
  it("marks from one quarter-hour to another, in either direction, ends included", () => {
    const late = { day: "2027-03-16", minute: 11 * 60 + 45 };
    expect(drawnSpan(tue9, late)).toEqual({ start: "2027-03-16T09:00", end: "2027-03-16T12:00" });
    expect(drawnSpan(late, tue9)).toEqual({ start: "2027-03-16T09:00", end: "2027-03-16T12:00" });
  });
});

describe("the keyboard's hour on the timeline", () => {
  const week = Array.from({ length: 7 }, (_, i) => addDays("2027-03-15", i));
  const at = { lane: 1, day: "2027-03-16", hour: 9 };
  it("goes an hour sideways across midnight, a day with Page Up and Down, a lane up and down", () => {
    expect(laneKey("ArrowRight", at, 3, week)).toEqual({ ...at, hour: 10 });
    expect(laneKey("ArrowLeft", at, 3, week)).toEqual({ ...at, hour: 8 });
    expect(laneKey("ArrowRight", { ...at, hour: 23 }, 3, week)).toEqual({
      ...at,
      day: "2027-03-17",
      hour: 0,
    });
    expect(laneKey("ArrowLeft", { ...at, hour: 0 }, 3, week)).toEqual({
      ...at,
      day: "2027-03-15",
      hour: 23,
    });
    expect(laneKey("PageDown", at, 3, week)).toEqual({ ...at, day: "2027-03-17" });
    expect(laneKey("PageUp", at, 3, week)).toEqual({ ...at, day: "2027-03-15" });
    expect(laneKey("ArrowUp", at, 3, week)).toEqual({ ...at, lane: 0 });
    expect(laneKey("ArrowDown", at, 3, week)).toEqual({ ...at, lane: 2 });
    expect(laneKey("Home", at, 3, week)).toEqual({ lane: 1, day: "2027-03-15", hour: 0 });
    expect(laneKey("End", at, 3, week)).toEqual({ lane: 1, day: "2027-03-21", hour: 23 });
  });
  it("stays at the week's and the lanes' edges, and leaves other keys alone", () => {
    const first = { lane: 0, day: "2027-03-15", hour: 0 };
    const last = { lane: 2, day: "2027-03-21", hour: 23 };
    expect(laneKey("ArrowLeft", first, 3, week)).toEqual(first);
    expect(laneKey("PageUp", first, 3, week)).toEqual(first);
    expect(laneKey("ArrowUp", first, 3, week)).toEqual(first);
    expect(laneKey("ArrowRight", last, 3, week)).toEqual(last);
    expect(laneKey("PageDown", last, 3, week)).toEqual(last);
    expect(laneKey("ArrowDown", last, 3, week)).toEqual(last);
    expect(laneKey("Tab", first, 3, week)).toBeNull();
  });
  it("marks whole hours from one to another, in either direction, the last ending at midnight", () => {
    const a = { lane: 0, day: "2027-03-16", hour: 22 };
    const b = { lane: 0, day: "2027-03-17", hour: 1 };
    expect(hoursSpan(a, b)).toEqual({ start: "2027-03-16T22:00", end: "2027-03-17T02:00" });
    expect(hoursSpan(b, a)).toEqual({ start: "2027-03-16T22:00", end: "2027-03-17T02:00" });
    const late = { lane: 0, day: "2027-03-21", hour: 23 };
    expect(hoursSpan(late, late)).toEqual({ start: "2027-03-21T23:00", end: "2027-03-22T00:00" });
  });
});

describe("a new entry's times", () => {
  it("are an evening on a day asked, whole days over days drawn across", () => {
    expect(newEntryTimes({ day: "2027-03-10" })).toEqual({
      start: "2027-03-10T18:00",
      end: "2027-03-10T23:00",
    });
    expect(newEntryTimes({ day: "2027-03-10", other: "2027-03-10" })).toEqual(
      newEntryTimes({ day: "2027-03-10" }),
    );
    const days = { start: "2027-03-10T00:00", end: "2027-03-13T00:00" };
    expect(newEntryTimes({ day: "2027-03-10", other: "2027-03-12" })).toEqual(days);
    expect(newEntryTimes({ day: "2027-03-12", other: "2027-03-10" })).toEqual(days);
    // Across a month's end and a year's.
    expect(newEntryTimes({ day: "2027-12-30", other: "2028-01-02" }).end).toBe("2028-01-03T00:00");
    expect(newEntryTimes(days)).toEqual(days);
  });

  it("are whole hours of the zone's wall clock on a timeline", () => {
    // 04:10 UTC is 09:40 in Kolkata (UTC+05:30): the nearest hour there is 10:00, 04:30 UTC.
    expect(isoUtc(snapLocal(at("2027-03-16T04:10:00Z"), "Asia/Kolkata"))).toBe(
      "2027-03-16T04:30:00Z",
    );
    expect(isoUtc(snapLocal(at("2027-03-16T04:10:00Z"), "UTC"))).toBe("2027-03-16T04:00:00Z");
    expect(isoUtc(snapLocal(at("2027-03-16T04:40:00Z"), "UTC", 15))).toBe("2027-03-16T04:45:00Z");
  });

  it("are the quarter-hours drawn in the week, in either direction", () => {
    const at = (day: string, hh: number, mm = 0) => ({ day, minute: hh * 60 + mm });
    expect(drawnSpan(at("2027-03-10", 9), at("2027-03-10", 11, 45))).toEqual({
      start: "2027-03-10T09:00",
      end: "2027-03-10T12:00",
    });
    // Upwards: the quarter-hour pressed is kept.
    expect(drawnSpan(at("2027-03-10", 9), at("2027-03-10", 7, 30))).toEqual({
      start: "2027-03-10T07:30",
      end: "2027-03-10T09:15",
    });
    // Across midnight, and to the day's last quarter-hour.
    expect(drawnSpan(at("2027-03-12", 18), at("2027-03-15", 6))).toEqual({
      start: "2027-03-12T18:00",
      end: "2027-03-15T06:15",
    });
    expect(drawnSpan(at("2027-03-12", 22), at("2027-03-12", 23, 45)).end).toBe("2027-03-13T00:00");
    // Minutes sort as numbers, not as text (09:45 before 10:00).
    expect(drawnSpan(at("2027-03-12", 10), at("2027-03-12", 9, 45)).start).toBe("2027-03-12T09:45");
  });
});

describe("wall-clock times in a chosen zone", () => {
  it("reads and writes local times", () => {
    expect(isoUtc(zonedToUtc("2027-03-19T18:00", "Europe/Paris"))).toBe("2027-03-19T17:00:00Z");
    expect(isoUtc(zonedToUtc("2027-07-01T09:00", "America/New_York"))).toBe("2027-07-01T13:00:00Z");
    expect(localInput(at("2027-03-19T17:00:00Z"), "Europe/Paris")).toBe("2027-03-19T18:00");
    expect(ymd(at("2027-03-19T23:30:00Z"), "Asia/Tokyo")).toBe("2027-03-20");
    expect(minuteOfDay(at("2027-03-19T23:30:00Z"), "Asia/Tokyo")).toBe(8 * 60 + 30);
    expect(Number.isNaN(zonedToUtc("nonsense", "UTC"))).toBe(true);
  });

  it("reads the spring gap with the offset before it, and the autumn repeat as the first", () => {
    // Paris skips 02:00–03:00 on 2027-03-28; 02:30 is read as 03:30 CEST.
    expect(isoUtc(zonedToUtc("2027-03-28T02:30", "Europe/Paris"))).toBe("2027-03-28T01:30:00Z");
    // 02:30 happens twice on 2027-10-31: the first one, still CEST.
    expect(isoUtc(zonedToUtc("2027-10-31T02:30", "Europe/Paris"))).toBe("2027-10-31T00:30:00Z");
    // Sydney's autumn repeat is in April.
    expect(isoUtc(zonedToUtc("2027-04-04T02:30", "Australia/Sydney"))).toBe("2027-04-03T15:30:00Z");
  });

  it("counts days and weeks", () => {
    expect(addDays("2027-02-28", 1)).toBe("2027-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(mondayOf("2027-03-21")).toBe("2027-03-15");
    expect(mondayOf("2027-03-15")).toBe("2027-03-15");
    // A day that is 23 hours long in Paris still starts at local midnight.
    expect(isoUtc(startOfDay("2027-03-28", "Europe/Paris"))).toBe("2027-03-27T23:00:00Z");
  });
});

describe("wall-clock times the backend gives", () => {
  it("reads the minute of the day", () => {
    expect(minuteOfLocal("2027-03-19T18:45")).toBe(18 * 60 + 45);
    expect(minuteOfLocal("2027-03-19T00:00:30")).toBe(0);
    expect(minuteOfLocal("2027-03-19T23:59")).toBe(23 * 60 + 59);
  });

  it("lists the days a span touches, its end left out", () => {
    expect(localDays("2027-03-19T18:00", "2027-03-19T20:00")).toEqual(["2027-03-19"]);
    expect(localDays("2027-03-19T23:30", "2027-03-20T00:30")).toEqual(["2027-03-19", "2027-03-20"]);
    // Ending at midnight: not on the next day; a minute later, on it.
    expect(localDays("2027-03-19T22:00", "2027-03-20T00:00")).toEqual(["2027-03-19"]);
    expect(localDays("2027-03-19T22:00", "2027-03-20T00:00:00")).toEqual(["2027-03-19"]);
    expect(localDays("2027-03-19T22:00", "2027-03-20T00:01")).toEqual(["2027-03-19", "2027-03-20"]);
    // Across a month's end, and bounded.
    expect(localDays("2027-02-27T10:00", "2027-03-02T10:00")).toEqual([
      "2027-02-27",
      "2027-02-28",
      "2027-03-01",
      "2027-03-02",
    ]);
    expect(localDays("2027-01-01T00:00", "2029-01-01T00:00", 10)).toHaveLength(10);
  });
});

describe("moving a window", () => {
  it("keeps the wall-clock start and the length across a DST change", () => {
    const [s, e] = moveToDay(
      at("2027-03-26T09:00:00Z"), // Friday 10:00 in Paris (CET)
      at("2027-03-26T10:30:00Z"),
      "2027-03-29", // Monday, after the change to CEST
      "Europe/Paris",
    );
    expect(isoUtc(s)).toBe("2027-03-29T08:00:00Z");
    expect(e - s).toBe(90 * 60_000);
  });

  it("snaps to a quarter of an hour", () => {
    expect(isoUtc(snap(at("2027-03-29T08:07:00Z")))).toBe("2027-03-29T08:00:00Z");
    expect(isoUtc(snap(at("2027-03-29T08:08:00Z")))).toBe("2027-03-29T08:15:00Z");
    expect(isoUtc(snap(at("2027-03-29T08:20:00Z"), 30))).toBe("2027-03-29T08:30:00Z");
  });
});

describe("layout", () => {
  it("orders environment lanes by promotion order", () => {
    expect(
      laneOrder([["dev", "staging", "prod"], ["dev", "prod"], ["staging"]], ["prod", "dr"]),
    ).toEqual(["dev", "staging", "prod", "dr"]);
    expect(laneOrder([], [])).toEqual([]);
  });

  it("gives each environment the policy names a lane, in its order, before others in use", () => {
    const policy = ["dev", "test", "staging", "prod"];
    expect(lanesOf(policy, [["staging", "prod"]], [])).toEqual(policy);
    expect(lanesOf(policy, [["prod", "dr"]], ["qa"])).toEqual([...policy, "dr", "qa"]);
    expect(lanesOf([], [["staging", "prod"]], [])).toEqual(["staging", "prod"]);
  });

  it("puts overlapping items side by side", () => {
    const h = (n: number) => n * 3_600_000;
    expect(
      columns([
        { start: h(9), end: h(11) },
        { start: h(10), end: h(12) },
        { start: h(11), end: h(13) },
        { start: h(14), end: h(15) },
      ]),
    ).toEqual([
      { col: 0, of: 2, group: 0 },
      { col: 1, of: 2, group: 0 },
      { col: 0, of: 2, group: 0 },
      { col: 0, of: 1, group: 1 },
    ]);
  });
});

describe("crowded stretches", () => {
  it("draws all of a group that fits and the first columns of one that does not", () => {
    const item = (col: number, of: number, group: number) => ({
      col,
      of,
      group,
      id: `${group}.${col}`,
    });
    const placed = [item(0, 2, 0), item(1, 2, 0), ...[0, 1, 2, 3, 4].map((c) => item(c, 5, 1))];
    const { shown, more } = crowded(placed, 3);
    expect(shown.map((x) => x.id)).toEqual(["0.0", "0.1", "1.0", "1.1"]);
    expect(more.map((m) => [m.group, m.items.map((x) => x.id)])).toEqual([
      [1, ["1.2", "1.3", "1.4"]],
    ]);
    expect(crowded(placed, 5).more).toEqual([]);
  });
});

describe("a timeline label's side", () => {
  const track = { from: 0, to: 1000 };
  it("follows its bar where it fits, and takes that room", () => {
    expect(labelPlace({ start: 100, end: 120 }, 80, track)).toEqual({
      before: false,
      start: 100,
      end: 200,
    });
    // Exactly up to the end of the track still fits.
    expect(labelPlace({ start: 900, end: 920 }, 80, track).before).toBe(false);
  });
  it("goes before its bar near the end of the track, and takes that room instead", () => {
    expect(labelPlace({ start: 950, end: 970 }, 80, track)).toEqual({
      before: true,
      start: 870,
      end: 970,
    });
  });
  it("stays after its bar when the track is too short for it either side but more room is after", () => {
    expect(labelPlace({ start: 10, end: 30 }, 2000, track).before).toBe(false);
    expect(labelPlace({ start: 600, end: 620 }, 2000, track).before).toBe(true);
  });
});

describe("the periods the views show", () => {
  it("shows six weeks from the Monday before the month's first, or the anchor's week", () => {
    const march = daysShown("month", "2027-03-17");
    expect([march.length, march[0], march[41]]).toEqual([42, "2027-03-01", "2027-04-11"]);
    // A month starting on a Sunday begins on the Monday six days before.
    expect(daysShown("month", "2026-11-29")[0]).toBe("2026-10-26");
    expect(daysShown("week", "2027-03-17")).toEqual(
      localDays("2027-03-15T00:00", "2027-03-22T00:00"),
    );
    expect(daysShown("timeline", "2027-03-17")).toEqual(daysShown("week", "2027-03-17"));
  });

  it("steps by months to the first, across a year, or by weeks", () => {
    expect(stepped("month", "2027-01-31", 1)).toBe("2027-02-01");
    expect(stepped("month", "2027-01-15", -1)).toBe("2026-12-01");
    expect(stepped("month", "2026-12-02", 13)).toBe("2028-01-01");
    expect(stepped("week", "2027-03-17", -2)).toBe("2027-03-03");
    expect(stepped("timeline", "2027-12-29", 1)).toBe("2028-01-05");
  });

  it("asks a month's days with a few releases each, a week's with all", () => {
    expect(periodShown("month", "2027-03-17")).toEqual({
      from: "2027-03-01",
      until: "2027-04-12",
      perDay: 3,
    });
    expect(periodShown("timeline", "2027-03-17")).toEqual({
      from: "2027-03-15",
      until: "2027-03-22",
      perDay: null,
    });
  });

  it("asks ahead for the periods before and after, and the other view of the day in view", () => {
    expect(periodsNear("month", "2027-03-17").map((p) => [p.from, p.perDay])).toEqual([
      ["2027-03-29", 3],
      ["2027-02-01", 3],
      ["2027-03-15", null],
    ]);
    expect(periodsNear("week", "2027-03-17").map((p) => [p.from, p.perDay])).toEqual([
      ["2027-03-22", null],
      ["2027-03-08", null],
      ["2027-03-01", 3],
    ]);
  });
});

describe("an entry's repeat in the form", () => {
  it("writes the rule of each choice, ending after the last day in the entry's zone", () => {
    expect(ruleOf("once", "2027-06-30", "")).toBeNull();
    expect(ruleOf("weekly", "", "")).toBe("FREQ=WEEKLY");
    expect(ruleOf("weekdays", "2027-06-30", "")).toBe(
      "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270630T235959",
    );
    expect(ruleOf("custom", "2027-06-30", " FREQ=MONTHLY;BYDAY=1FR ")).toBe(
      "FREQ=MONTHLY;BYDAY=1FR",
    );
    expect(ruleOf("custom", "", "  ")).toBeNull();
    // A last day not fully typed adds no end (the rule stays endless rather than wrong).
    expect(ruleOf("daily", "2027-06", "")).toBe("FREQ=DAILY");
  });

  it("reads back its own rules, and any other as typed", () => {
    for (const r of ["daily", "weekly", "weekdays", "monthly", "yearly"] as const) {
      expect(repeatOf(ruleOf(r, "", ""))).toEqual({ repeat: r, until: "", custom: "" });
      expect(repeatOf(ruleOf(r, "2027-12-31", ""))).toEqual({
        repeat: r,
        until: "2027-12-31",
        custom: "",
      });
    }
    expect(repeatOf(null).repeat).toBe("once");
    expect(repeatOf("FREQ=WEEKLY;BYDAY=FR")).toEqual({
      repeat: "custom",
      until: "",
      custom: "FREQ=WEEKLY;BYDAY=FR",
    });
    expect(repeatOf("FREQ=WEEKLY;UNTIL=20270630T120000Z").repeat).toBe("custom");
  });
});

describe("how an import read its file", () => {
  it("says each reading in the UI's language, at its line, with the file's own words", () => {
    setLocale("fr");
    expect(importNoteText({ code: "cancelled", line: 48, params: { count: "2" } })).toBe(
      "Ligne 48\u00a0: 2 événements annulés (STATUS:CANCELLED) ont été écartés.",
    );
    expect(
      importNoteText({
        code: "end_read_as",
        line: 9,
        params: { what: "VTODO", name: "VEVENT", begin: "3" },
      }),
    ).toBe("Ligne 9\u00a0: END:VTODO lu comme END:VEVENT (le BEGIN de la ligne 3).");
    setLocale("en");
    expect(importNoteText({ code: "older_versions", params: { count: "1" } })).toBe(
      "1 older version of an event was left out (the same UID, a lower or equal SEQUENCE).",
    );
  });
});

describe("every reading an import can note, every mistake of a typed rule", () => {
  const bindings = import.meta.glob("./bindings.ts", {
    query: "?raw",
    import: "default",
    eager: true,
  })["./bindings.ts"] as string;
  /** The names of a closed set the backend sends, from the generated bindings. */
  const codesOf = (type: string) => {
    const union = new RegExp(`export type ${type} = ([^;]+);`).exec(bindings)?.[1] ?? "";
    return [...union.matchAll(/"(\w+)"/g)].map((m) => m[1]);
  };

  it("has a wording in both languages", () => {
    const notes = codesOf("IcsNoteCode");
    const mistakes = codesOf("RuleMistake");
    expect(notes.length).toBeGreaterThan(10);
    expect(mistakes.length).toBeGreaterThan(10);
    const keys = [
      ...notes.map((c) => `entry.note.${c}`),
      ...mistakes.map((c) => `problem.bad_rule.${c}`),
    ];
    for (const k of keys) {
      expect(Object.hasOwn(en, k), k).toBe(true);
      expect(Object.hasOwn(fr, k), k).toBe(true);
    }
  });
});
