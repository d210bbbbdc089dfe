// Bad input, worded in the UI's language and placed beside its field.
//
// The backend reports every problem of a submit at once, each with the field it is about
// (`end`, or a list's cell `components.1.digest`), a closed code and its parameters. This module
// turns them into text per field for a form; `focusFirstError` then takes the reader to the
// first one. A problem with the code `other` has no wording here and shows the backend's.

import { tick } from "svelte";
import { BackendError } from "./backend";
import { quoted, worded } from "./labels";
import { formatDateTime, formatDay, formatDuration, formatNumber, i18n, t } from "./i18n.svelte";
import { en, type MessageKey } from "./messages";
import type { FieldProblem, Problem, ProblemCode, Reason, ReasonCode } from "./types";
import type { ApiError, LeftOut, OutboxRow, SbomNote } from "./bindings";

/** The message of each code; every code the backend can send must be here (tsc checks it). */
const wording: Record<Exclude<ProblemCode, "other">, MessageKey> = {
  required: "problem.required",
  bad_name: "problem.bad_name",
  too_long: "problem.too_long",
  too_short: "problem.too_short",
  bad_char: "problem.bad_char",
  bad_version: "problem.bad_version",
  unknown_zone: "problem.unknown_zone",
  bad_time: "problem.bad_time",
  ambiguous_time: "problem.ambiguous_time",
  nonexistent_time: "problem.nonexistent_time",
  end_not_after_start: "problem.end_not_after_start",
  bad_digest: "problem.bad_digest",
  bad_email: "problem.bad_email",
  unknown_choice: "problem.unknown_choice",
  bad_url: "problem.bad_url",
  secret_in_url: "problem.secret_in_url",
  bad_file: "problem.bad_file",
  bad_backup: "problem.bad_backup",
  bad_mapping: "problem.bad_mapping",
  bad_sbom: "problem.bad_sbom",
  out_of_range: "problem.out_of_range",
  bad_key: "problem.bad_key",
  unchanged: "problem.unchanged",
  past: "problem.past",
  unknown_member: "problem.unknown_member",
  taken: "problem.taken",
  repeated: "problem.repeated",
  row_cells: "problem.row_cells",
  end_before_start: "problem.end_before_start",
  future: "problem.future",
  bad_rule: "problem.bad_rule",
  span_too_long: "problem.span_too_long",
};

/** The field part of a key: `components.1.digest` → `digest`. */
function leaf(field: string): string {
  return field.split(".").pop() ?? field;
}

/** A problem in the UI's language. A field may have its own wording of a code
 *  (`problem.required.environments`), else the code's general one. */
export function problemText(p: FieldProblem, scope?: string): string {
  if (p.code === "other") return p.message;
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p.params)) params[k] = /^\d+$/.test(v) ? Number(v) : v;
  // A date that has passed is said as the reader writes dates, not as the backend reads them.
  if (p.code === "past" && /^\d{4}-\d\d-\d\d$/.test(p.params.value ?? ""))
    params.value = formatDay(p.params.value);
  const field = leaf(p.field);
  // An SBOM, a file or a rule refused: worded by why (`problem.bad_sbom.xml`), else in general.
  if (["bad_sbom", "bad_file", "bad_backup", "bad_rule"].includes(p.code)) {
    const why = `${wording[p.code]}.${p.params.reason ?? ""}`;
    return t((why in en ? why : wording[p.code]) as MessageKey, params);
  }
  const keys = [
    scope ? `${wording[p.code]}.${scope}.${field}` : null,
    `${wording[p.code]}.${field}`,
  ];
  const key = keys.find((k): k is string => k !== null && k in en);
  return t((key ?? wording[p.code]) as MessageKey, params);
}

/** A list in the UI's language: "a, b or c" (`disjunction`) or "a, b and c". */
function list(items: string[], type: "conjunction" | "disjunction"): string {
  return new Intl.ListFormat(i18n.locale, { type }).format(items);
}

/** How each parameter of a refusal reads: statuses, roles and change types by their labels,
 *  times in the viewer's zone, named. */
const reasonParam: Record<string, (v: string) => string> = {
  status: (v) => t(`status.${v}` as MessageKey),
  from: (v) => t(`status.${v}` as MessageKey),
  to: (v) => t(`status.${v}` as MessageKey),
  allowed: (v) =>
    list(
      v.split(",").map((s) => t(`status.${s}` as MessageKey)),
      "disjunction",
    ),
  need: (v) =>
    list(
      v.split(",").map((r) => t(`role.${r}` as MessageKey)),
      "disjunction",
    ),
  have: (v) =>
    list(
      v.split(",").map((r) => t(`role.${r}` as MessageKey)),
      "conjunction",
    ),
  change_type: (v) => t(`type.${v}` as MessageKey),
  at: (v) => formatDateTime(v),
  max: (v) => formatNumber(Number(v)),
  said: (v) => (v ? t("reason.said", { quoted: quoted(v) }) : ""),
  doing: (v) => t(`remote.doing.${v}` as MessageKey),
  clock: (v) => formatDateTime(v),
  remote_clock: (v) => formatDateTime(v),
  offset_ms: (v) => formatDuration(Number(v)),
  direction: (v) => t(`clock.${v}` as MessageKey),
};

/** The wording of each refusal; every code the backend can send must be here (tsc checks it). */
const reasonWording: Record<ReasonCode, MessageKey> = {
  workspace_once: "reason.workspace_once",
  not_a_member: "reason.not_a_member",
  member_removed: "reason.member_removed",
  role_required: "reason.role_required",
  already_member: "reason.already_member",
  last_admin: "reason.last_admin",
  illegal_transition: "reason.illegal_transition",
  not_editable: "reason.not_editable",
  not_movable: "reason.not_movable",
  policy_in_force: "reason.policy_in_force",
  nothing_to_decide: "reason.nothing_to_decide",
  already_decided: "reason.already_decided",
  decision_would_not_count: "reason.decision_would_not_count",
  not_emergency: "reason.not_emergency",
  workspace_exists: "reason.workspace_exists",
  workspace_not_empty: "reason.workspace_not_empty",
  remote_exists: "reason.remote_exists",
  name_taken_again: "reason.name_taken_again",
  nothing_to_undo: "reason.nothing_to_undo",
  changed_since_checked: "reason.changed_since_checked",
  file_exists: "reason.file_exists",
  no_release: "reason.no_release",
  no_policy_version: "reason.no_policy_version",
  no_calendar_entry: "reason.no_calendar_entry",
  no_remote: "reason.no_remote",
  connector_exists: "reason.connector_exists",
  no_connector: "reason.no_connector",
  webhook_exists: "reason.webhook_exists",
  no_webhook: "reason.no_webhook",
  feed_exists: "reason.feed_exists",
  no_member: "reason.no_member",
  not_joined: "reason.not_joined",
  risk_closed: "reason.risk_closed",
  owner_cannot_accept: "reason.owner_cannot_accept",
  owner_cannot_lower: "reason.owner_cannot_lower",
  no_risk: "reason.no_risk",
  ref_taken: "reason.ref_taken",
  no_deployment: "reason.no_deployment",
  nothing_to_review: "reason.nothing_to_review",
  review_signed: "reason.review_signed",
  cannot_sign_review: "reason.cannot_sign_review",
  already_signed: "reason.already_signed",
  action_done: "reason.action_done",
  no_action: "reason.no_action",
  review_required: "reason.review_required",
  store_damaged: "reason.store_damaged",
  ledger_damaged: "reason.ledger_damaged",
  token_refused: "reason.token_refused",
  platform_refused: "reason.platform_refused",
  platform_failed: "reason.platform_failed",
  certificate_untrusted: "reason.certificate_untrusted",
  not_json: "reason.not_json",
  answer_too_large: "reason.answer_too_large",
  too_many_pages: "reason.too_many_pages",
  bad_next_page: "reason.bad_next_page",
  next_page_elsewhere: "reason.next_page_elsewhere",
  no_longer_awaited: "reason.no_longer_awaited",
  freeze_deleted: "reason.freeze_deleted",
  unknown_write: "reason.unknown_write",
  no_tag: "reason.no_tag",
  webhook_timeout: "reason.webhook_timeout",
  webhook_unreachable: "reason.webhook_unreachable",
  webhook_slow_down: "reason.webhook_slow_down",
  webhook_failed: "reason.webhook_failed",
  webhook_redirect: "reason.webhook_redirect",
  webhook_refused: "reason.webhook_refused",
  remote_offline: "reason.remote_offline",
  remote_not_folder: "reason.remote_not_folder",
  remote_link: "reason.remote_link",
  remote_bad_name: "reason.remote_bad_name",
  remote_refused: "reason.remote_refused",
  remote_file_too_large: "reason.remote_file_too_large",
  git_missing: "reason.git_missing",
  git_who: "reason.git_who",
  git_credentials_refused: "reason.git_credentials_refused",
  git_unreachable: "reason.git_unreachable",
  git_failed: "reason.git_failed",
  history_rewritten: "reason.history_rewritten",
  push_raced: "reason.push_raced",
  several_workspaces: "reason.several_workspaces",
  not_a_relm_remote: "reason.not_a_relm_remote",
  no_workspace_there: "reason.no_workspace_there",
  workspace_unreadable: "reason.workspace_unreadable",
  cannot_write: "reason.cannot_write",
  clock_off_remote: "reason.clock_off_remote",
  clock_behind: "reason.clock_behind",
  key_missing: "reason.key_missing",
  no_token: "reason.no_token",
};

/** What a webhook's refusal says of it: revoked (401, 403), gone (404, 410), or nothing. */
function refusedBy(http: string | undefined): string | null {
  return http === "401" || http === "403"
    ? "revoked"
    : http === "404" || http === "410"
      ? "gone"
      : null;
}

/** The variant of a refusal's wording its parameters call for (`no_remote` without a name
 *  is "no remotes at all"). */
function reasonKey(r: Reason): MessageKey {
  const variant = ((): string | null => {
    switch (r.code) {
      case "no_release":
        return "service" in r.params ? "service" : null;
      case "illegal_transition":
        return r.params.allowed ? null : "final";
      case "no_policy_version":
        return "version" in r.params ? null : "none";
      case "no_remote":
        return "name" in r.params ? null : "none";
      case "no_longer_awaited":
        return r.params.platform === "github" ? "github" : null;
      case "webhook_refused":
        return refusedBy(r.params.http);
      case "remote_refused":
      case "cannot_write":
        return r.params.cause ?? null;
      case "clock_behind":
        return r.params.who ? null : "self";
      case "name_taken_again":
        return ["remote", "connector", "webhook", "feed"].includes(r.params.what ?? "")
          ? (r.params.what ?? null)
          : null;
      default:
        return null;
    }
  })();
  const base = reasonWording[r.code];
  return (variant ? `${base as string}.${variant}` : base) as MessageKey;
}

/** A refusal (a conflict, a missing role, something that does not exist) in the UI's
 *  language, without the CLI commands the backend's English names. */
export function reasonText(r: Reason): string {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.params)) params[k] = reasonParam[k]?.(v) ?? v;
  return t(reasonKey(r), params);
}

/** What a form shows for a failed submit: a text per field it has (the first problem of
 *  each), and the rest, if any, above the form. */
export interface FormErrors {
  fields: Record<string, string>;
  general: string | null;
}

/** `scope` names the form (`risk`) when a field's wording differs from the release form's. */
export function formErrors(
  e: unknown,
  has: (field: string) => boolean,
  scope?: string,
): FormErrors {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  const problems = e instanceof BackendError ? e.problems : [];
  for (const p of problems) {
    if (!has(p.field)) rest.push(problemText(p, scope));
    else fields[p.field] ??= problemText(p, scope);
  }
  if (problems.length === 0) {
    // An error about one input (a folder that cannot be reached) goes beside it too.
    const field = e instanceof BackendError ? e.field : undefined;
    if (field && has(field)) fields[field] = errorText(e);
    else rest.push(errorText(e));
  }
  return { fields, general: rest.length ? rest.join("\n") : null };
}

/** Any error as one text: problems worded here; other errors say their kind in the UI's
 *  language before the backend's detail (which names paths, ids and commands). */
export function errorText(e: unknown): string {
  if (!(e instanceof BackendError)) return String(e);
  if (e.problems.length) return e.problems.map((p) => problemText(p)).join("\n");
  if (e.reason) return reasonText(e.reason);
  if (i18n.locale === "en") return e.message;
  return t("error.kind", { kind: t(`error.${e.code}` as MessageKey), detail: e.message });
}

/** An error the backend kept (a connection's last sync, an outbox entry's last delivery) in
 *  the UI's language; text an earlier version kept is shown as it is. */
export function keptErrorText(e: ApiError | string): string {
  return typeof e === "string" ? e : errorText(new BackendError(e));
}

/** Why an outbox entry's last delivery failed, or why it was dropped ("" when neither). */
export function outboxErrorText(o: OutboxRow): string {
  return o.last_failure ? keptErrorText(o.last_failure) : (o.last_error ?? "");
}

/** `text` with its first letter a capital (a line that starts with an item's name). */
function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Move the focus to the first field marked invalid in `root` (after the DOM shows them). */
export async function focusFirstError(root: HTMLElement | null | undefined): Promise<void> {
  await tick();
  const first = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
  first?.focus();
}

/** The attributes of a field that `errors` may mark invalid (see FieldError.svelte). */
export function invalid(
  errors: Record<string, string>,
  name: string,
): { "aria-invalid": boolean; "aria-describedby": string | undefined } {
  const bad = name in errors;
  return { "aria-invalid": bad, "aria-describedby": bad ? `error-${name}` : undefined };
}

/** One problem `audit verify` found, in the UI's language: what is wrong with the event, then
 *  the backend's English as a technical detail. A code this version does not know is shown as
 *  the backend says it. */
export function verifyProblemText(p: Problem): string {
  if (p.code === "projection_mismatch") return t("audit.tableDiffers", { table: p.event });
  if (p.code === "bad_evidence") return t("audit.badEvidence", { event: p.event });
  const what = worded("audit.problem", p.code);
  if (what === undefined) return t("audit.failed", { event: p.event, message: p.message });
  return t("audit.problem", { event: p.event, what, detail: p.message });
}

/** A backend finding in the UI's language: the wording `<prefix>.<code>` when this version has
 *  one, with the backend's English as its technical detail; otherwise the backend's words alone
 *  (a detail would repeat them). Used for events without effect (`notApplied`), events held back
 *  by a sync (`audit.problem`) and a pack's problems (`packProblem`). */
export function findingText(
  prefix: "notApplied" | "audit.problem" | "packProblem",
  code: string,
  english: string,
): { text: string; detail?: string } {
  const text = worded(prefix, code);
  if (text === undefined) return { text: english };
  return { text, detail: t("technicalDetail", { detail: english }) };
}

/** A problem `relm verify` found in a pack: its own wording when it is about the pack, else
 *  the wording of what verifying a ledger finds (the pack's events are one), made a sentence. */
export function packProblemText(code: string, english: string): { text: string; detail?: string } {
  const own = findingText("packProblem", code, english);
  if (own.detail) return own;
  const said = findingText("audit.problem", code, english);
  if (!said.detail) return said;
  return { ...said, text: `${capitalized(said.text)}.` };
}

/** What was odd in an SBOM as it was read, in the UI's language, with the backend's English
 *  (which says, for instance, why a purl is malformed) as its technical detail. Every code has
 *  a wording: `sbom.note.<code>` is checked against the catalogue's keys when the UI is built. */
export function sbomNoteText(n: SbomNote): { text: string; detail: string } {
  const key: `sbom.note.${SbomNote["code"]}` = `sbom.note.${n.code}`;
  const text = t(key, { package: n.package ?? "", other: n.other ?? "", count: n.count ?? 0 });
  return { text, detail: t("technicalDetail", { detail: n.message }) };
}

/** What a connection's sync left out, and why, in the UI's language. */
export function leftOutText(l: LeftOut): string {
  const p = l.params;
  const variant =
    (l.what === "deployment" || l.what === "freeze_period") && !p.id
      ? ".none"
      : l.what === "deployment" && !(p.ref && p.environment)
        ? ".id"
        : "";
  const base: `leftOut.item.${LeftOut["what"]}` = `leftOut.item.${l.what}`;
  const why: `leftOut.why.${LeftOut["why"]}` = `leftOut.why.${l.why}`;
  const params = { ...p, at: p.at ? formatDateTime(p.at) : "" };
  return capitalized(
    t("leftOut.line", {
      item: t(`${base}${variant}` as MessageKey, params),
      why: t(why, params),
    }),
  );
}
