import { describe, expect, it } from "vitest";
import { setLocale } from "./i18n.svelte";
import type { JsonValue } from "./bindings";
import type { LogEntry } from "./types";
import {
  closest,
  eventName,
  eventSummary,
  fieldLabel,
  gateText,
  roleName,
  ruleLabel,
  valueText,
} from "./labels";

describe("labels", () => {
  it("names roles and events in the language, and keeps unknown ids", () => {
    setLocale("fr");
    expect(roleName("approver")).toBe("Approbateur");
    expect(eventName("release.status_changed")).toBe("Statut modifié");
    expect(eventName("policy.applied")).toBe("Politique appliquée");
    expect(eventName("calendar.entry_added")).toBe("Entrée de calendrier ajoutée");
    expect(eventName("review.recorded")).toBe("review.recorded");
    setLocale("en");
    expect(roleName("release-manager")).toBe("Release manager");
  });

  it("summarises payloads", () => {
    setLocale("en");
    const base = {
      id: "e",
      hash: "",
      at: "",
      hlc: "",
      signed_at: null,
      author: "",
      author_name: null,
      seq: 1,
      entity: null,
    };
    expect(
      eventSummary({
        ...base,
        kind: "release.status_changed",
        payload: { from: "draft", to: "planned" },
      }),
    ).toBe("Draft → Planned");
    expect(
      eventSummary({
        ...base,
        kind: "release.updated",
        payload: { patch: { title: "x", version: "1" } },
      }),
    ).toBe("Title: “x”; Version: “1”");
    // A policy event carries the whole policy file: the summary names the version and note.
    expect(
      eventSummary({
        ...base,
        kind: "policy.applied",
        payload: { version: 2, note: "Two approvals for prod", source: "[policy]\n..." },
      }),
    ).toBe("v2 — Two approvals for prod");
    expect(
      eventSummary({
        ...base,
        kind: "approval.recorded",
        payload: { decision: "reject", environment: "prod", comment: "no rollback test" },
      }),
    ).toBe("rejected · prod — “no rollback test”");
  });
});

describe("typos", () => {
  it("find the name a person most likely meant, and only a near one", () => {
    const envs = ["dev", "staging", "prod"];
    expect(closest("prd", envs)).toBe("prod");
    expect(closest("Staging", envs)).toBe("staging");
    expect(closest("stagign", envs)).toBe("staging");
    expect(closest("qa-eu", envs)).toBeNull();
  });
});

describe("rule names", () => {
  it("say a built-in rule in the UI's language and keep a policy's own ids", () => {
    setLocale("fr");
    expect(ruleLabel("notice")).toBe("Préavis");
    expect(gateText({ environment: "prod", rules: ["approvals", "freeze"] })).toBe(
      "prod (Approbations, Gel)",
    );
    expect(ruleLabel("rego:no-friday-afternoon")).toBe("rego:no-friday-afternoon");
    setLocale("en");
    expect(ruleLabel("rollback")).toBe("Rollback");
  });
});

describe("audit values", () => {
  it("say a window in its own zone, labels for codes, and lists item by item", () => {
    setLocale("fr");
    const w = { start: "2026-12-08T06:00:00Z", end: "2026-12-08T07:00:00Z", tz: "Asia/Singapore" };
    expect(valueText(w, "window")).toMatch(
      /^8 déc\. 2026,? 14:00\s–\s15:00\sUTC\+8 \(Asia\/Singapore\)$/,
    );
    expect(fieldLabel("window")).toBe("Fenêtre prévue");
    expect(valueText("emergency", "change_type")).toBe("Urgence");
    expect(valueText(["staging", "prod"], "environments")).toBe("staging\u202f; prod");
    expect(valueText([{ name: "api", version: "1.2.0" }], "components")).toBe("api · 1.2.0");
    expect(valueText(null, "window")).toBe("—");
  });
});

describe("risk events", () => {
  it("summarise what changed in words", () => {
    setLocale("fr");
    const e = (kind: string, payload: JsonValue): LogEntry => ({
      id: "e",
      hash: "",
      at: "",
      hlc: "",
      signed_at: null,
      author: "",
      author_name: null,
      seq: 1,
      entity: null,
      kind,
      payload,
    });
    expect(eventSummary(e("risk.added", { fields: { title: "Panne" } }))).toBe("Panne");
    expect(
      eventSummary(e("risk.updated", { patch: { category: "security", likelihood: 4 } })),
    ).toBe("Catégorie\u00a0: Sécurité\u202f; Probabilité\u00a0: 4");
    expect(eventSummary(e("risk.closed", { reason: "Corrigé" }))).toBe("«\u00a0Corrigé\u00a0»");
  });
});
