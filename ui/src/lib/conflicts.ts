// The calendar in the UI's language: entry kinds, day headings, conflicts and verdicts.

import { dateFormat, formatDateTime, i18n, t } from "./i18n.svelte";
import type { MessageKey } from "./messages";
import type { Conflict, Occurrence, Outcome, Verdict } from "./types";

/** "Hard freeze", "Soft freeze" or "Maintenance window". */
export function entryLabel(o: Pick<Occurrence, "kind" | "level">): string {
  return t(
    o.kind === "window"
      ? "calendar.window"
      : o.level === "soft"
        ? "calendar.softFreeze"
        : "calendar.hardFreeze",
  );
}

/** A day's heading in the week and timeline views: "Tue, Mar 9" / "mar. 9 mars". */
export function dayHead(day: string): string {
  return dateFormat({
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  }).format(new Date(`${day}T12:00:00Z`));
}

/** A conflict in the UI's language, from the facts the backend gives (the entry, its
 * occurrence, the other release, the window a hard freeze decided over), times in `zone`. */
export function conflictText(c: Conflict, zone: string): string {
  const [from, to] = c.occurrence ?? ["", ""];
  // An overlap with several releases names the first and counts the others.
  const key = c.others ? `conflict.${c.code}_more` : `conflict.${c.code}`;
  const text = t(key as MessageKey, {
    count: c.others ?? 0,
    entry: c.entry_name ?? "",
    from: formatDateTime(from, zone),
    to: formatDateTime(to, zone),
    env: c.environment ?? "",
    other: c.other_name ?? "",
  });
  return c.over_window ? text + t("conflict.overWindow", { window: c.over_window }) : text;
}

/** What a conflict means for the release: an error blocks; inside a soft freeze the gate fails
 *  until a written justification (and an extra approval) is recorded, so it is not called a
 *  mere warning; other warnings warn. */
export function severityLabel(c: Conflict): string {
  if (c.code === "inside_soft_freeze") return t("severity.justify");
  return t(c.severity === "error" ? "severity.error" : "severity.warning");
}

/** The worst of several outcomes, and of conflicts (an error blocks, a warning warns). */
export function worst(verdicts: Verdict[], conflicts: Conflict[] = []): Outcome {
  if (
    verdicts.some((v) => v.outcome === "blocked") ||
    conflicts.some((c) => c.severity === "error")
  )
    return "blocked";
  if (
    verdicts.some((v) => v.outcome === "allowed_with_warnings") ||
    conflicts.some((c) => c.severity === "warning")
  )
    return "allowed_with_warnings";
  return "allowed";
}
