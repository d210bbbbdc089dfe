import { describe, expect, it } from "vitest";
import { setLocale } from "./i18n.svelte";
import { conflictText, severityLabel, worst } from "./conflicts";
import type { Conflict, Verdict } from "./types";

const base: Conflict = {
  release_id: "r1",
  service: "api",
  version: "2.0.0",
  environment: "prod",
  severity: "error",
  code: "inside_hard_freeze",
  entry_id: "e1",
  entry_name: "Year-end freeze",
  occurrence: ["2026-12-22T23:00:00Z", "2027-01-02T23:00:00Z"],
  over_window: "Checkout window",
  reason: "inside the hard freeze …",
};

describe("conflicts in the UI's language", () => {
  it("calls a soft freeze what the gate makes of it: a justification is needed", () => {
    const soft: Conflict = { ...base, severity: "warning", code: "inside_soft_freeze" };
    setLocale("en");
    expect(severityLabel(soft)).toBe("Needs a justification");
    expect(conflictText(soft, "UTC")).toContain("the gate needs a written justification");
    expect(severityLabel(base)).toBe("Error");
    setLocale("fr");
    expect(severityLabel(soft)).toBe("Justification requise");
  });

  it("names the entry, its times in the chosen zone, and the window it decided over", () => {
    setLocale("en");
    const en = conflictText(base, "Europe/Paris");
    expect(en).toContain("inside the hard freeze “Year-end freeze”");
    expect(en).toContain("Dec 23, 2026");
    expect(en).toContain("decides over the window “Checkout window”");
    setLocale("fr");
    const fr = conflictText(base, "Europe/Paris");
    expect(fr).toContain("dans le gel strict « Year-end freeze »");
    expect(fr).toContain("23 déc. 2026");
    expect(fr).toContain("prime sur une fenêtre");
  });

  it("names the other release of an overlap", () => {
    setLocale("fr");
    const overlap: Conflict = {
      ...base,
      severity: "warning",
      code: "same_environment_overlap",
      other_release: "r0",
      other_name: "payments-api 2.19.5",
      entry_id: undefined,
      entry_name: undefined,
      occurrence: undefined,
      over_window: undefined,
    };
    expect(conflictText(overlap, "UTC")).toBe("chevauche payments-api 2.19.5 en prod");
    setLocale("en");
  });

  it("counts the other releases of an overlap with many", () => {
    const many: Conflict = {
      ...base,
      severity: "warning",
      code: "same_environment_overlap",
      other_release: "r0",
      other_name: "payments-api 2.19.5",
      others: 68,
      entry_id: undefined,
      entry_name: undefined,
      occurrence: undefined,
      over_window: undefined,
    };
    setLocale("en");
    expect(conflictText(many, "UTC")).toBe(
      "overlaps payments-api 2.19.5 and 68 other releases in prod",
    );
    expect(conflictText({ ...many, others: 1 }, "UTC")).toBe(
      "overlaps payments-api 2.19.5 and 1 other release in prod",
    );
    setLocale("fr");
    expect(conflictText({ ...many, code: "same_service_overlap" }, "UTC")).toBe(
      "chevauche payments-api 2.19.5 et 68 autres mises en production du même service",
    );
    setLocale("en");
  });

  it("takes the worst of verdicts and conflicts", () => {
    const v = (outcome: Verdict["outcome"]) => ({ outcome }) as Verdict;
    expect(worst([v("allowed")])).toBe("allowed");
    expect(worst([v("allowed"), v("allowed_with_warnings")])).toBe("allowed_with_warnings");
    expect(worst([v("allowed")], [{ ...base, severity: "warning" }])).toBe("allowed_with_warnings");
    expect(worst([v("allowed")], [base])).toBe("blocked");
    expect(worst([v("blocked")])).toBe("blocked");
  });
});
