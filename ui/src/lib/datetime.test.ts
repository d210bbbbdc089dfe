import { describe, expect, it } from "vitest";
import { dateOrder, joinParts, splitValue, wallClock } from "./datetime";

describe("date parts", () => {
  it("follow the order each language writes a date in", () => {
    expect(dateOrder("fr")).toEqual(["day", "month", "year"]);
    expect(dateOrder("en")).toEqual(["month", "day", "year"]);
  });

  it("make the value the backend reads, and back", () => {
    const parts = splitValue("2027-03-19T18:00");
    expect(parts).toEqual({ year: "2027", month: "03", day: "19", hour: "18", minute: "00" });
    expect(joinParts(parts, true)).toBe("2027-03-19T18:00");
    expect(joinParts(parts, false)).toBe("2027-03-19");
    expect(joinParts({ year: "2027", month: "3", day: "9", hour: "8", minute: "5" }, true)).toBe(
      "2027-03-09T08:05",
    );
    // Nothing typed is no value; a part missing reaches the backend, which names the field.
    expect(joinParts(splitValue(""), true)).toBe("");
    expect(joinParts({ ...splitValue(""), year: "2027" }, false)).toBe("2027--");
  });
});

describe("wallClock", () => {
  it("says the time in the zone asked, across a change of offset", () => {
    // 2027-03-28T00:30Z is 01:30 in Paris (winter); 01:30Z is 03:30 (summer time began).
    expect(wallClock(Date.UTC(2027, 2, 28, 0, 30), "Europe/Paris")).toBe("2027-03-28T01:30");
    expect(wallClock(Date.UTC(2027, 2, 28, 1, 30), "Europe/Paris")).toBe("2027-03-28T03:30");
    expect(wallClock(Date.UTC(2027, 0, 1, 0, 5), "UTC")).toBe("2027-01-01T00:05");
    expect(wallClock(Date.UTC(2027, 0, 1, 0, 5), "America/New_York")).toBe("2026-12-31T19:05");
  });
});
