import { describe, expect, it } from "vitest";
import {
  formatDateTime,
  formatDay,
  formatNumber,
  formatPercent,
  formatRelative,
  formatShort,
  setLocale,
  t,
} from "./i18n.svelte";
import { parse } from "./router.svelte";

describe("formatting", () => {
  it("formats numbers and dates for the locale", () => {
    setLocale("en");
    expect(formatNumber(12345)).toBe("12,345");
    expect(formatDateTime("2027-03-19T17:00:00Z", "UTC")).toContain("2027");
    setLocale("fr");
    expect(formatNumber(12345)).toMatch(/12\s345/);
    expect(formatDateTime("2027-03-19T17:00:00Z", "UTC")).toContain("mars");
  });

  it("writes shares as whole percentages in the UI's language, after a change of language", () => {
    setLocale("en");
    expect(formatPercent(0.254)).toBe("25%");
    setLocale("fr");
    expect(formatPercent(0.254)).toMatch(/^25[\u00a0\u202f]%$/);
    expect(formatPercent(1)).toMatch(/^100[\u00a0\u202f]%$/);
    setLocale("en");
    expect(formatPercent(0)).toBe("0%");
  });

  it("names the zone of every time, and says durations in words", () => {
    setLocale("en");
    expect(formatDateTime("2027-03-19T17:00:00Z", "Europe/Paris")).toBe(
      "Mar 19, 2027, 6:00 PM GMT+1",
    );
    expect(formatShort("2027-03-19T17:00:00Z", "UTC")).toBe("3/19/27, 5:00 PM UTC");
    const now = Date.parse("2027-03-01T00:00:00Z");
    expect(formatRelative("2027-03-30T00:00:00Z", now)).toBe("in 4 weeks");
    expect(formatRelative("2027-03-04T00:00:00Z", now)).toBe("in 3 days");
    setLocale("fr");
    expect(formatDateTime("2027-03-19T17:00:00Z", "Europe/Paris")).toBe(
      "19 mars 2027, 18:00 UTC+1",
    );
    expect(formatRelative("2027-03-04T00:00:00Z", now)).toBe("dans 3 jours");
    expect(formatRelative("2027-02-28T21:00:00Z", now)).toBe("il y a 3 heures");
  });

  it("fills placeholders", () => {
    setLocale("en");
    expect(t("sync.toPush", { count: 3 })).toBe("3 to push");
    setLocale("fr");
    expect(t("sync.toPush", { count: 3 })).toBe("3 à envoyer");
    expect(formatDateTime(null)).toBe("—");
  });
});

describe("routes", () => {
  it("parses pages, ids and edit views", () => {
    expect(parse("#/releases/abc/edit")).toEqual({
      page: "releases",
      id: "abc",
      edit: true,
      focus: null,
      date: null,
      release: null,
      tab: null,
      pack: null,
    });
    expect(parse("#/releases/abc/edit?focus=evidence")).toMatchObject({ focus: "evidence" });
    expect(parse("#/releases/abc?tab=review")).toMatchObject({ id: "abc", tab: "review" });
    expect(parse("#/calendar?date=2027-03-15")).toMatchObject({
      page: "calendar",
      date: "2027-03-15",
    });
    expect(parse("#/calendar?date=soon").date).toBeNull();
    expect(parse("#/audit")).toEqual({
      page: "audit",
      id: null,
      edit: false,
      focus: null,
      date: null,
      release: null,
      tab: null,
      pack: null,
    });
    expect(parse("#/nonsense").page).toBe("dashboard");
    expect(parse("").page).toBe("dashboard");
  });
});

describe("days", () => {
  it("say a calendar day as written in the language, whatever the viewer's zone", () => {
    setLocale("fr");
    expect(formatDay("2027-03-31")).toBe("31 mars 2027");
    setLocale("en");
    expect(formatDay("2027-03-31")).toBe("Mar 31, 2027");
    expect(formatDay("")).toBe("—");
    expect(formatDay("31/03")).toBe("31/03");
  });
});
