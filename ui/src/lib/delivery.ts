// Deployments and rollback readiness: the dialogs that record them (shared by the release's
// gates and its delivery tabs) and the wording of what the ledger made of them.

import { backend } from "./backend";
import { wallClock } from "./datetime";
import { formatDateTime, t, viewerZone } from "./i18n.svelte";
import type { Field } from "./components/RecordDialog.svelte";
import type { MessageKey } from "./messages";
import { ruleLabel } from "./labels";
import type { DeployOutcome, Deviation, Readiness, Release } from "./types";

/** A dialog that records something signed. */
export interface Recording {
  title: string;
  lead?: string;
  fields: Field[];
  submit: string;
  testid: string;
  run: (v: Record<string, string>) => Promise<unknown>;
}

export const OUTCOMES: DeployOutcome[] = ["succeeded", "failed", "rolled_back", "partial"];

export const outcomeText = (o: DeployOutcome) => t(`deploy.outcome.${o}` as MessageKey);
export const readinessText = (r: Readiness) => t(`rollback.readiness.${r}` as MessageKey);

/** A deviation in the reader's language, saying what the deployment departed from. */
export function deviationText(d: Deviation): string {
  switch (d.kind) {
    case "outside_window":
      return d.window
        ? t("deviation.outside_window", {
            start: formatDateTime(d.window[0]),
            end: formatDateTime(d.window[1]),
          })
        : t("deviation.no_window");
    case "not_allowed":
      return t("deviation.not_allowed", {
        rules: d.rules.map(ruleLabel).join(t("list.comma")),
      });
    case "in_freeze":
      return t(d.hard ? "deviation.hard_freeze" : "deviation.soft_freeze", { name: d.name });
    case "skipped_environment":
      return t("deviation.skipped", { env: d.skipped });
  }
}

const envOptions = (envs: string[]) => envs.map((e) => ({ value: e, label: e }));

/** Record a deployment of `release`: where, how it ended, when (wall-clock times in this
 *  computer's zone, now by default), the tool, a link and its reference there. */
export function deploymentDialog(
  release: Release,
  env: string | null,
  onrecorded: (deviations: Deviation[]) => void,
): Recording {
  const zone = viewerZone();
  const now = wallClock(Date.now(), zone);
  return {
    title: t("deploy.record.title"),
    lead: t("deploy.record.lead", { zone }),
    testid: "deployment-dialog",
    submit: t("action.record"),
    fields: [
      {
        name: "environment",
        label: t("deploy.environment"),
        kind: "select",
        value: env ?? release.environments[release.environments.length - 1] ?? "",
        options: envOptions(release.environments),
      },
      {
        name: "outcome",
        label: t("action.deploy.outcome"),
        kind: "select",
        value: "succeeded",
        options: OUTCOMES.map((o) => ({ value: o, label: outcomeText(o) })),
      },
      { name: "start", label: t("deploy.start"), kind: "datetime", value: now },
      { name: "end", label: t("deploy.end"), kind: "datetime", value: now },
      { name: "tool", label: t("deploy.tool"), placeholder: "GitHub Actions" },
      { name: "link", label: t("deploy.link"), placeholder: "https://…" },
      {
        name: "external_ref",
        label: t("deploy.ref"),
        placeholder: "github:8812345",
        hint: t("deploy.ref.hint", { example: "github:8812345" }),
      },
      { name: "note", label: t("action.deploy.note"), kind: "textarea" },
    ],
    run: async (v) => {
      const r = await backend.recordDeployment({
        release: release.id,
        environment: v.environment ?? "",
        outcome: v.outcome ?? "",
        start: v.start ?? "",
        end: v.end ?? "",
        tz: zone,
        tool: v.tool || undefined,
        link: v.link || undefined,
        external_ref: v.external_ref || undefined,
        note: v.note || undefined,
      });
      onrecorded(r.deviations.map((d) => d.detail));
    },
  };
}

/** Record a rehearsal of the rollback plan: where, how it went, its evidence (a link or a file
 *  whose digest is kept). */
export function rehearsalDialog(release: Release, environments: string[]): Recording {
  const envs = environments.length > 0 ? environments : release.environments;
  return {
    title: t("action.rehearse.title"),
    testid: "rehearsal-dialog",
    submit: t("action.record"),
    fields: [
      {
        name: "environment",
        label: t("deploy.environment"),
        kind: "select",
        value: envs.find((e) => e !== envs[envs.length - 1]) ?? envs[0] ?? "",
        options: envOptions(envs),
      },
      {
        name: "result",
        label: t("rollback.result"),
        kind: "select",
        value: "passed",
        options: [
          { value: "passed", label: t("rollback.result.passed") },
          { value: "failed", label: t("rollback.result.failed") },
        ],
      },
      {
        name: "evidence",
        label: t("rollback.evidence"),
        kind: "file",
        placeholder: "https://…",
        hint: t("rollback.evidence.hint"),
      },
      { name: "note", label: t("action.rehearse.note"), kind: "textarea" },
    ],
    run: (v) =>
      backend.rehearseRollback(
        release.id,
        v.environment ?? "",
        v.result ?? "passed",
        v.evidence || null,
        v.note || null,
      ),
  };
}
