// Conflicts and verdicts in the UI's language.

import { formatDateTime, i18n, t } from "./i18n.svelte";
import type { MessageKey } from "./messages";
import type { Conflict, Outcome, Verdict } from "./types";

/** A conflict in the UI's language: the backend's full sentence in English, the same facts from
 * the message catalogue otherwise. Times are shown in `zone`. */
export function conflictText(c: Conflict, zone: string): string {
  if (i18n.locale === "en") return c.reason;
  const [from, to] = c.occurrence ?? ["", ""];
  return t(`conflict.${c.code}` as MessageKey, {
    entry: c.entry_name ?? "",
    from: formatDateTime(from, zone),
    to: formatDateTime(to, zone),
    env: c.environment ?? "",
  });
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
