import { describe, expect, it } from "vitest";
import { formatDateTime, formatNumber, setLocale, t } from "./i18n.svelte";
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
    });
    expect(parse("#/releases/abc/edit?focus=evidence")).toEqual({
      page: "releases",
      id: "abc",
      edit: true,
      focus: "evidence",
    });
    expect(parse("#/audit")).toEqual({ page: "audit", id: null, edit: false, focus: null });
    expect(parse("#/nonsense").page).toBe("dashboard");
    expect(parse("").page).toBe("dashboard");
  });
});
