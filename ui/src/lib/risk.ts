// How the register's scores read: the 5×5 scales' labels and the band a score falls in.

import { t } from "./i18n.svelte";
import type { MessageKey } from "./messages";

export const SCALE = [1, 2, 3, 4, 5] as const;
export const CATEGORIES = [
  "technical",
  "security",
  "operational",
  "compliance",
  "business",
  "schedule",
] as const;
export const RISK_STATUSES = ["open", "mitigating", "accepted", "closed"] as const;

/** A point of a scale with its label: "3 – Possible". */
export function scaleLabel(scale: "likelihood" | "impact", n: number): string {
  return t("risk.scale", { n, label: t(`risk.${scale}.${n}` as MessageKey) });
}

/** The band of a likelihood × impact score, as the heat map colours it. */
export function band(score: number): "low" | "medium" | "high" | "critical" {
  if (score >= 15) return "critical";
  if (score >= 10) return "high";
  if (score >= 5) return "medium";
  return "low";
}
