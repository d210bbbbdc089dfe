// Turning backend identifiers (roles, event kinds, payloads) into words for people.

import { formatDateTime, formatWindow, t } from "./i18n.svelte";
import { en, type MessageKey } from "./messages";
import type { LogEntry, ReleaseStatus } from "./types";

/** Every release status, in lifecycle order. */
export const RELEASE_STATUSES: ReleaseStatus[] = [
  "draft",
  "planned",
  "approved",
  "deploying",
  "deployed",
  "reviewed",
  "cancelled",
  "rolled_back",
  "failed",
];

/** The catalogue's wording of `<prefix>.<id>`, or `undefined` when this version has none (the
 *  backend's identifiers and codes are open strings). */
export function worded(prefix: string, id: string): string | undefined {
  const key = `${prefix}.${id}`;
  return Object.hasOwn(en, key) ? t(key as MessageKey) : undefined;
}

const known = (prefix: string, id: string): string => worded(prefix, id) ?? id;

export const roleName = (role: string) => known("role", role);
export const eventName = (kind: string) => known("event", kind);

let limit = 60;

/** `text` cut to the summary's limit. */
function cut(text: string): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Text quoted as the language quotes: “text” in English, « text » in French. */
export const quoted = (text: string) => t("quote", { text });

function short(v: unknown): string {
  const text = typeof v === "string" ? quoted(v) : JSON.stringify(v);
  return text.length > limit ? `${text.slice(0, limit - 3)}…` : text;
}

/** The label of a release field an edit changed, as the release form names it. */
const FIELD_LABELS: Record<string, MessageKey> = {
  service: "form.service",
  version: "form.componentVersion",
  title: "form.title",
  description: "form.description",
  change_type: "form.type",
  risk: "form.risk",
  environments: "form.environments",
  window: "audit.field.window",
  components: "form.components",
  changes: "form.changes",
  rollback_plan: "form.rollback",
  evidence: "form.evidence",
  likelihood: "risks.likelihood",
  impact: "risks.impact",
  category: "riskForm.category",
  owner: "riskForm.owner",
  services: "riskForm.services",
  review_by: "riskForm.reviewBy",
  residual_likelihood: "riskForm.residualLikelihood",
  residual_impact: "riskForm.residualImpact",
};

export function fieldLabel(field: string): string {
  const key = FIELD_LABELS[field];
  return key ? t(key) : field;
}

/** A value as the audit shows it, in words: a window as its span in its own zone, a change
 *  type or risk by its label, lists one item after another, text quoted, nothing as —. */
export function valueText(v: unknown, field = ""): string {
  if (v === null || v === undefined || v === "") return "—";
  if (Array.isArray(v)) {
    if (v.length === 0) return "—";
    return v
      .map((item) => (typeof item === "string" ? item : itemText(item)))
      .join(t("list.semicolon"));
  }
  if (typeof v === "string") {
    if (field === "change_type") return known("type", v);
    if (field === "risk") return known("risk", v);
    if (field === "category") return known("risk.category", v);
    return quoted(v);
  }
  if (field === "window" && typeof v === "object") {
    const w = v as { start?: string; end?: string; tz?: string };
    const [start, end] = [Date.parse(w.start ?? ""), Date.parse(w.end ?? "")];
    if (w.tz && !Number.isNaN(start) && !Number.isNaN(end)) {
      return `${formatWindow(start, end, w.tz)} (${w.tz})`;
    }
  }
  return typeof v === "object" ? itemText(v) : String(v);
}

/** One item of a list (a component, a change, an evidence link): its values in order. */
function itemText(item: unknown): string {
  if (item === null || typeof item !== "object") return String(item);
  return Object.values(item as Record<string, unknown>)
    .filter((x) => x !== null && x !== undefined && x !== "")
    .map(String)
    .join(" · ");
}

/** A description of what an event changed; values cut at `max` characters (60 by default:
 *  a table cell; the audit page shows them whole). */
export function eventSummary(e: LogEntry, max = 60): string {
  limit = max;
  const p = (e.payload ?? {}) as Record<string, unknown>;
  const text = (k: string) => String(p[k] ?? "");
  switch (e.kind) {
    case "policy.applied":
      return `v${text("version")} — ${text("note")}`;
    case "approval.recorded":
      return `${known("decision", text("decision"))} · ${text("environment")}${p.comment ? ` — ${short(p.comment)}` : ""}`;
    case "deployment.recorded":
      return t("audit.fieldValue", {
        field: text("environment"),
        value: known("deploy.outcome", text("outcome")),
      });
    case "rollback.rehearsed":
      return [
        text("environment"),
        known("rollback.result", text("result") || "passed"),
        p.note ? short(p.note) : "",
      ]
        .filter(Boolean)
        .join(" · ");
    case "rollback.planned":
      return t("rollback.planSummary", {
        version: String((p.plan as Record<string, unknown> | undefined)?.previous_version ?? ""),
      });
    case "rollback.recorded":
      return `${t("rollback.to", { env: text("environment"), version: text("to_version") })} — ${short(p.reason)}`;
    case "emergency.declared":
      return `${text("incident")} — ${short(p.reason)}`;
    case "risk.added":
      return String((p.fields as Record<string, unknown> | undefined)?.title ?? "");
    case "risk.mitigated":
      return short(p.mitigation && (p.mitigation as Record<string, unknown>).action);
    case "risk.mitigation_done":
      return `#${text("number")}`;
    case "risk.accepted":
      return t("audit.fieldValue", {
        field: formatDateTime(text("expires_at")),
        value: short(p.reason),
      });
    case "risk.closed":
      return short(p.reason);
    case "risk.answered":
      return Object.entries((p.answers ?? {}) as Record<string, string>)
        .map(([k, v]) => t("audit.fieldValue", { field: k, value: v }))
        .join(t("list.semicolon"));
    case "release.risk_lowered":
      return `${known("risk", text("from"))} → ${known("risk", text("level"))} — ${short(p.reason)}`;
    case "deployments.imported": {
      const list = (p.deployments ?? []) as Array<Record<string, unknown>>;
      const runs = list.map((d) => `${String(d.environment ?? "")} ${String(d.reference ?? "")}`);
      return `${text("connector")} (${text("platform")}) · ${short(runs.join(t("list.semicolon")))}`;
    }
    case "report.exported":
      return `${text("what").endsWith("pack") ? t("reports.kindPack") : t("reports.kindPdf")} · ${text("subject")}`;
    case "sbom.attached": {
      const doc = (p.document ?? {}) as Record<string, unknown>;
      return t("sbom.attachedSummary", {
        component: text("component"),
        count: Array.isArray(p.packages) ? p.packages.length : 0,
        format: `${String(doc.format ?? "")} ${String(doc.spec_version ?? "")}`,
      });
    }
    case "release.notes_set":
      return `${text("lang")} · ${short(text("markdown"))}`;
    case "member.team_set":
      return text("team") || t("settings.noTeam");
    case "calendar.entry_added":
    case "calendar.entry_updated": {
      const entry = (p.entry ?? {}) as Record<string, unknown>;
      return `${String(entry.name ?? "")} (${String(entry.kind ?? "")})`;
    }
  }
  if (p.patch) {
    // Each edited field with its new value, so a value later overwritten stays readable.
    return Object.entries(p.patch as Record<string, unknown>)
      .map(([k, v]) => t("audit.fieldValue", { field: fieldLabel(k), value: cut(valueText(v, k)) }))
      .join(t("list.semicolon"));
  }
  if (p.to) {
    const move = `${known("status", String(p.from))} → ${known("status", String(p.to))}`;
    const blocked = (p.blocked ?? []) as { environment: string; rules: string[] }[];
    const note = p.note ? ` — ${short(p.note)}` : "";
    if (blocked.length === 0) return move + note;
    const what = blocked.map(gateText).join(t("list.semicolon"));
    return `${move} · ${t("override.summary", { what })}${note}`;
  }
  const fields = p.fields as Record<string, unknown> | undefined;
  if (fields)
    return `${String(fields.service ?? "")} ${String(fields.version ?? "")} — ${String(fields.title ?? "")}`;
  const member = p.member as Record<string, unknown> | undefined;
  if (member) return String(member.name ?? "");
  if (p.name) return String(p.name);
  return "";
}

/** Edits (insertions, deletions, substitutions) from `a` to `b`. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] ?? 0;
}

/** The known name `typed` is most likely a typo of (at most two edits away), if any. */
export function closest(typed: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const d = distance(typed.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** A rule by its name for readers: a built-in rule's label in the UI's language ("Préavis"),
 *  else the id its policy gives it (`rego:no-friday-afternoon`). */
export const ruleLabel = (id: string) => known("rule", id);

/** What blocked a move in one environment: "prod (Approbations, Gel)". */
export function gateText(g: { environment: string; rules: string[] }): string {
  return `${g.environment} (${g.rules.map(ruleLabel).join(", ")})`;
}
